package dev.shoal.executor;

import dev.shoal.internal.wire.PayloadRef;
import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of the claim check: puts arguments too large for a message in the payload
 * store, remembers each task's object until its result has arrived and then deletes it, and
 * fetches and verifies results that came by reference. Deleting is best effort: what is left (a
 * crashed client, a store that was down) is for the store's lifecycle rule to expire by prefix.
 */
final class ClaimChecks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClaimChecks.class);

  private final String label;
  private final PayloadStore store;
  private final long maxPayloadBytes;
  /** The argument object of each task attempt out, by task id (one attempt of a task is out at a time). */
  private final Map<Long, URI> argumentObjects = new ConcurrentHashMap<>();

  /** @param store the payload store, or null when this executor has none */
  ClaimChecks(String label, PayloadStore store, long maxPayloadBytes) {
    this.label = label;
    this.store = store;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  boolean enabled() {
    return store != null;
  }

  long maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /**
   * Puts a task's arguments under its run's prefix; fails with a {@link PayloadStoreException}
   * saying which task's arguments could not be stored, and why.
   */
  CompletableFuture<PayloadRef> put(String runId, long taskId, String app, byte[] payload) {
    CompletableFuture<URI> put;
    try {
      put = store.put(runId, payload);
    } catch (RuntimeException e) {
      put = CompletableFuture.failedFuture(e);
    }
    return put.handle((location, error) -> {
      if (error != null) {
        Throwable cause = unwrap(error);
        throw new PayloadStoreException("the arguments of task " + taskId + " (" + app + "), " + payload.length
            + " bytes, could not be put in the " + store.scheme() + ": payload store: " + cause.getMessage(), cause);
      }
      return PayloadRef.of(location, payload);
    });
  }

  /** The task's arguments are out at {@code location}; an earlier attempt's object is deleted. */
  void sent(long taskId, URI location) {
    URI earlier = argumentObjects.put(taskId, location);
    if (earlier != null && !earlier.equals(location)) {
      delete(earlier);
    }
  }

  /** The task's attempt is over (its result arrived, or it could not be sent): its arguments go. */
  void settled(long taskId) {
    URI location = argumentObjects.remove(taskId);
    if (location != null) {
      delete(location);
    }
  }

  /**
   * The bytes a result's reference names, verified against its size and digest; fails with a
   * {@link PayloadUnavailableException} naming the object and why.
   */
  CompletableFuture<byte[]> fetch(long taskId, String app, PayloadRef ref) {
    URI location = ref.location();
    if (store == null) {
      return unavailable(taskId, app, location, "cannot be fetched: this executor has no payload store", null);
    }
    if (!store.scheme().equals(location.getScheme())) {
      return unavailable(taskId, app, location, "cannot be fetched: this executor's payload store reads "
          + store.scheme() + ": references", null);
    }
    if (ref.size() > maxPayloadBytes) {
      return unavailable(taskId, app, location, "is not fetched: its " + ref.size() + " bytes are over this "
          + "executor's limit of " + maxPayloadBytes, null);
    }
    CompletableFuture<byte[]> get;
    try {
      get = store.get(location, ref.size());
    } catch (RuntimeException e) {
      get = CompletableFuture.failedFuture(e);
    }
    return get.handle((bytes, error) -> {
      if (error != null) {
        Throwable cause = unwrap(error);
        throw new PayloadUnavailableException(taskId, app, "result", location, "could not be fetched: "
            + cause.getMessage(), cause);
      }
      String mismatch = ref.mismatch(bytes);
      if (mismatch != null) {
        throw new PayloadUnavailableException(taskId, app, "result", location, "is not the result sent: "
            + mismatch, null);
      }
      return bytes;
    });
  }

  /** Deletes an object, logging (not failing) when it cannot. */
  void delete(URI location) {
    CompletableFuture<Void> delete;
    try {
      delete = store.delete(location);
    } catch (RuntimeException e) {
      delete = CompletableFuture.failedFuture(e);
    }
    delete.whenComplete((ignored, error) -> {
      if (error != null) {
        log.warn("executor {}: could not delete payload {} (the store's lifecycle rule expires it): {}", label,
            location, unwrap(error).toString());
      }
    });
  }

  /** The run is over: the arguments of tasks still out are of no more use. */
  @Override
  public void close() {
    argumentObjects.keySet().forEach(this::settled);
  }

  static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static <T> CompletableFuture<T> unavailable(long taskId, String app, URI location, String reason,
      Throwable cause) {
    return CompletableFuture.failedFuture(new PayloadUnavailableException(taskId, app, "result", location, reason,
        cause));
  }
}
