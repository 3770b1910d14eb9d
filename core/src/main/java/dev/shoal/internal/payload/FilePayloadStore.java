package dev.shoal.internal.payload;

import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreException;
import dev.shoal.spi.PayloadStoreProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Payloads as files in a folder on local disk, the embedded default: {@code file:///<root>/<prefix>/<uuid>}.
 *
 * <p>A put writes a temporary file beside its target and moves it into place atomically, so a
 * reader never sees half an object. A reference is only read or deleted when it names a file
 * below the root once resolved (no {@code ..}, no symbolic link leading out), since references
 * arrive from the queue. Files are created readable by their owner only. Blocking file calls run
 * on the store's own threads, which {@link #close()} ends.
 */
public final class FilePayloadStore implements PayloadStore {
  /** The scheme of this store's references. */
  public static final String SCHEME = "file";
  private static final int THREADS = 4;
  /** The largest array a JVM reliably allocates. */
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final Path root;
  private final Path realRoot;
  private final URI rootUri;
  private final ExecutorService io;

  /**
   * A store in {@code root} (an absolute folder, made if missing).
   *
   * @throws UncheckedIOException when the folder cannot be made
   */
  public FilePayloadStore(Path root) {
    if (!root.isAbsolute()) {
      throw new IllegalArgumentException("a file payload store's root is an absolute folder: " + root);
    }
    try {
      Files.createDirectories(root);
      this.root = root.normalize();
      this.realRoot = root.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the payload folder " + root, e);
    }
    this.rootUri = this.root.toUri();
    this.io = Executors.newFixedThreadPool(THREADS, daemonThreads());
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "shoal-payload-file-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** The folder objects are put in. */
  public Path root() {
    return root;
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public CompletableFuture<URI> put(String prefix, byte[] bytes) {
    String key = PayloadKeys.newKey("", prefix);
    Path target = root.resolve(key);
    return call(() -> {
      try {
        Files.createDirectories(target.getParent());
        Path temporary = Files.createTempFile(target.getParent(), ".put-", ".part");
        try {
          Files.write(temporary, bytes);
          move(temporary, target);
        } finally {
          Files.deleteIfExists(temporary);
        }
        return target.toUri();
      } catch (IOException e) {
        throw new PayloadStoreException("cannot store a payload of " + bytes.length + " bytes at "
            + target.toUri() + ": " + e, e);
      }
    });
  }

  private static void move(Path temporary, Path target) throws IOException {
    try {
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      // Same folder, so only a file system without renames lands here; the name is fresh anyway.
      Files.move(temporary, target);
    }
  }

  @Override
  public CompletableFuture<byte[]> get(URI location, long maxBytes) {
    return call(() -> {
      Path file = resolve(location);
      try {
        Path real = file.toRealPath();
        if (!real.startsWith(realRoot) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
          throw PayloadKeys.refused(location, rootUri, "it resolves to " + real + ", no file below the root");
        }
        long size = Files.size(real);
        if (size > maxBytes) {
          throw new PayloadStoreException("payload " + location + " is " + size
              + " bytes, over the limit of " + maxBytes);
        }
        try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
          // One byte past the limit tells a file that grew since its size was read.
          byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, MAX_ARRAY));
          if (bytes.length > maxBytes) {
            throw new PayloadStoreException("payload " + location + " grew over the limit of "
                + maxBytes + " bytes while being read");
          }
          return bytes;
        }
      } catch (NoSuchFileException e) {
        throw new PayloadStoreException("payload " + location + " does not exist", e);
      } catch (IOException e) {
        throw new PayloadStoreException("cannot read payload " + location + ": " + e, e);
      }
    });
  }

  @Override
  public CompletableFuture<Void> delete(URI location) {
    return call(() -> {
      Path file = resolve(location);
      try {
        Files.deleteIfExists(file);
        return null;
      } catch (IOException e) {
        throw new PayloadStoreException("cannot delete payload " + location + ": " + e, e);
      }
    });
  }

  /** The file a reference names, if it is one of this store's, judged on its text before any I/O. */
  private Path resolve(URI location) {
    if (location == null || !SCHEME.equals(location.getScheme()) || location.isOpaque()
        || location.getRawAuthority() != null && !location.getRawAuthority().isEmpty()
        || location.getRawQuery() != null || location.getRawFragment() != null) {
      throw PayloadKeys.refused(location, rootUri, "not a local file reference");
    }
    Path file;
    try {
      file = Path.of(location);
    } catch (IllegalArgumentException e) {
      throw PayloadKeys.refused(location, rootUri, e.getMessage());
    }
    Path relative = file.startsWith(root) ? root.relativize(file) : null;
    if (relative == null || relative.toString().isEmpty()
        || !PayloadKeys.isPlainPath(relative.toString().replace(file.getFileSystem().getSeparator(), "/"))) {
      throw PayloadKeys.refused(location, rootUri, "not below the root");
    }
    return file;
  }

  private <T> CompletableFuture<T> call(Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, io);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void close() {
    io.shutdown();
  }

  @Override
  public String toString() {
    return "FilePayloadStore[" + rootUri + "]";
  }

  /** The provider of {@code file:} stores: the root is an absolute folder such as {@code file:///var/shoal/payloads}. */
  public static final class Provider implements PayloadStoreProvider {
    @Override
    public String scheme() {
      return SCHEME;
    }

    @Override
    public PayloadStore create(URI root, Map<String, String> settings) {
      if (root == null || !SCHEME.equals(root.getScheme()) || root.isOpaque()) {
        throw new IllegalArgumentException("a file payload store's root is file:///<absolute folder>: " + root);
      }
      return new FilePayloadStore(Path.of(root));
    }
  }
}
