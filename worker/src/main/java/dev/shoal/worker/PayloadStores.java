package dev.shoal.worker;

import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreProvider;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one payload store a worker uses, for the references tasks bring and for its large results:
 * given in its config, or opened from {@code --payload-store} through {@link PayloadStoreProvider}
 * with the transport settings. A reference is read only through that store, which refuses one
 * outside its root: a store opened from whatever a message names would let anyone who can write to
 * the queue have the worker read any object its identity may read (or, with {@code file:}, any file
 * on its disk) into a task. Closes the store it opened, not one it was given.
 */
final class PayloadStores implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PayloadStores.class);

  private final PayloadStore given;
  private final PayloadStore forResults;
  private final Map<String, String> settings;
  private final Map<String, PayloadStore> opened = new ConcurrentHashMap<>();

  /**
   * @param given a store the caller owns, or null
   * @param root where results go when no store is given, or null for nowhere
   * @param settings the settings a store opened by scheme gets (the worker's transport settings)
   * @throws IllegalArgumentException when {@code root} names a scheme no provider serves
   */
  PayloadStores(PayloadStore given, URI root, Map<String, String> settings) {
    this.given = given;
    this.settings = Map.copyOf(settings);
    if (given != null) {
      this.forResults = given;
    } else if (root != null) {
      this.forResults = PayloadStoreProvider.forScheme(root.getScheme()).create(root, this.settings);
      opened.put(key(root), forResults);
    } else {
      this.forResults = null;
    }
  }

  /** Where large results go; null when nowhere (they fail as too large). */
  PayloadStore forResults() {
    return forResults;
  }

  /**
   * The store that reads {@code location}: this worker's own, which refuses a reference outside its
   * root.
   *
   * @throws IllegalStateException when this worker has no payload store
   */
  PayloadStore forReading(URI location) {
    if (forResults == null) {
      throw new IllegalStateException("this worker has no payload store (--payload-store) to read " + location
          + " from");
    }
    return forResults;
  }

  /** Its scheme and authority (the bucket, the account and container host): one store serves them all. */
  private static String key(URI location) {
    return location.getScheme() + "://" + (location.getRawAuthority() == null ? "" : location.getRawAuthority())
        + "/";
  }

  @Override
  public void close() {
    opened.values().forEach(store -> {
      try {
        store.close();
      } catch (RuntimeException e) {
        log.warn("closing payload store {} failed: {}", store.scheme(), e.toString());
      }
    });
    opened.clear();
  }
}
