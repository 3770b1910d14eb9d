package dev.shoal.testing;

import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreException;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A payload store in memory, scheme {@code mem} (references {@code mem://<name>/<prefix>/<n>}),
 * with switches that make it fail as a real store can: down for puts, down for gets, or handing
 * back bytes other than those put (one byte flipped). Calls complete on the caller's thread.
 */
public final class InMemoryPayloadStore implements PayloadStore {
  public static final String SCHEME = "mem";

  private final String name;
  private final Map<URI, byte[]> objects = new ConcurrentHashMap<>();
  private final AtomicLong keys = new AtomicLong();
  private volatile boolean putsFail;
  private volatile boolean getsFail;
  private volatile boolean corrupt;
  private volatile boolean closed;

  public InMemoryPayloadStore() {
    this("store");
  }

  /** A store whose references name {@code name} as their host, so that two stores' never collide. */
  public InMemoryPayloadStore(String name) {
    this.name = name;
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public CompletableFuture<URI> put(String prefix, byte[] bytes) {
    if (putsFail || closed) {
      return CompletableFuture.failedFuture(new PayloadStoreException("store " + name + " is down: cannot put "
          + bytes.length + " bytes under " + prefix));
    }
    URI location = URI.create(SCHEME + "://" + name + "/" + prefix + "/" + keys.incrementAndGet());
    objects.put(location, bytes.clone());
    return CompletableFuture.completedFuture(location);
  }

  @Override
  public CompletableFuture<byte[]> get(URI location, long maxBytes) {
    if (getsFail || closed) {
      return CompletableFuture.failedFuture(new PayloadStoreException("store " + name + " is down: cannot get "
          + location));
    }
    byte[] bytes = objects.get(location);
    if (bytes == null) {
      return CompletableFuture.failedFuture(new PayloadStoreException("no object at " + location));
    }
    if (bytes.length > maxBytes) {
      return CompletableFuture.failedFuture(new PayloadStoreException("the object at " + location + " holds "
          + bytes.length + " bytes, over the " + maxBytes + " asked for"));
    }
    byte[] copy = bytes.clone();
    if (corrupt && copy.length > 0) {
      copy[copy.length / 2] ^= 1;
    }
    return CompletableFuture.completedFuture(copy);
  }

  @Override
  public CompletableFuture<Void> delete(URI location) {
    objects.remove(location);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void close() {
    closed = true;
  }

  /** Puts fail from now on (true) or work again (false). */
  public InMemoryPayloadStore failPuts(boolean fail) {
    this.putsFail = fail;
    return this;
  }

  /** Gets fail from now on (true) or work again (false). */
  public InMemoryPayloadStore failGets(boolean fail) {
    this.getsFail = fail;
    return this;
  }

  /** Gets hand back the object with one byte flipped from now on (true), or as put (false). */
  public InMemoryPayloadStore corruptGets(boolean corrupt) {
    this.corrupt = corrupt;
    return this;
  }

  /** Removes an object behind its owner's back, as a lifecycle rule or an operator might. */
  public void lose(URI location) {
    objects.remove(location);
  }

  /** Where the objects now stored are. */
  public Set<URI> locations() {
    return Set.copyOf(objects.keySet());
  }

  /** The bytes stored at {@code location}, or null. */
  public byte[] object(URI location) {
    byte[] bytes = objects.get(location);
    return bytes == null ? null : Arrays.copyOf(bytes, bytes.length);
  }

  public boolean isClosed() {
    return closed;
  }
}
