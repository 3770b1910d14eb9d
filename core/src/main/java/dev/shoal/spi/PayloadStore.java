package dev.shoal.spi;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * Object storage for payloads too large for a queue message (the claim-check pattern): a task's
 * arguments or a result over the transport's limit are put here, and the envelope carries a
 * reference (where, how large, and its SHA-256) that the other side fetches and verifies.
 *
 * <p>Implementations: a folder on local disk ({@code file:}), S3 ({@code s3:}), Azure Blob
 * ({@code azblob:}). Each is found by its scheme through {@link PayloadStoreProvider}, so a worker
 * opens the store a reference names without depending on any cloud SDK. Calls are asynchronous
 * and fail with a {@link PayloadStoreException} that says what could not be done.
 */
public interface PayloadStore extends AutoCloseable {

  /** The URI scheme of the references this store makes and reads, such as "s3". */
  String scheme();

  /**
   * Stores {@code bytes} under a fresh key below {@code prefix} (a run's id, so that what a
   * crashed client left behind can be found and expired by prefix) and returns where they are.
   */
  CompletableFuture<URI> put(String prefix, byte[] bytes);

  /**
   * The bytes at {@code location}, at most {@code maxBytes} of them: a larger object fails with a
   * {@link PayloadStoreException} without being read whole, as does one that does not exist.
   */
  CompletableFuture<byte[]> get(URI location, long maxBytes);

  /** Deletes the object at {@code location}; one that is already gone is not an error. */
  CompletableFuture<Void> delete(URI location);

  @Override
  void close();
}
