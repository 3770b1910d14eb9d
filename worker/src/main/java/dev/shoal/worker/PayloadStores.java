package dev.shoal.worker;

import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreProvider;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payload stores a worker uses: the one results go to (given in its config, or opened from
 * {@code --payload-store}), and one per scheme and bucket or container for reading the references
 * tasks bring, opened by scheme through {@link PayloadStoreProvider} with the transport settings
 * and kept for the worker's life. Closes the stores it opened, not one it was given.
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
   * A store that reads {@code location}.
   *
   * @throws IllegalArgumentException when no provider on the class path serves its scheme
   */
  PayloadStore forReading(URI location) {
    if (given != null && given.scheme().equals(location.getScheme())) {
      return given;
    }
    if (forResults != null && forResults.scheme().equals(location.getScheme())) {
      return forResults;
    }
    return opened.computeIfAbsent(key(location), key -> PayloadStoreProvider.forScheme(location.getScheme())
        .create(URI.create(key), settings));
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
