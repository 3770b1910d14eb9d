package dev.shoal.azure.vmss;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import dev.shoal.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Azurite's Blob service, Microsoft's storage emulator, for the tests that read and write blobs:
 * the one at {@code AZURITE_BLOB_ENDPOINT} if set (such as {@code http://127.0.0.1:10000/devstoreaccount1}),
 * else one started once per test run, in memory on a free loopback port, from {@code azurite-blob}
 * on the PATH or installed by npm in {@code $SHOAL_CACHE/azurite} (default {@code ~/.cache/shoal/azurite};
 * {@code .ci/run} installs it there), and stopped when the run ends. Tests are skipped, saying why,
 * when there is none.
 *
 * <p>Use it as {@code @ExtendWith(Azurite.class)} and ask for {@link #newContainer()}.
 */
public final class Azurite implements BeforeAllCallback {
  /** Azurite's well-known development account and key (public, and accepted by Azurite only). */
  static final String ACCOUNT = "devstoreaccount1";
  private static final String KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
  private static final String STORE_KEY = "shoal.azurite";

  private static volatile String endpoint;

  /** A new, empty container on Azurite, with a client signed with the development account's key. */
  public static BlobContainerClient newContainer() {
    BlobServiceClient service = new BlobServiceClientBuilder().connectionString(connectionString()).buildClient();
    BlobContainerClient container = service.getBlobContainerClient("shoal-" + UUID.randomUUID());
    container.create();
    return container;
  }

  /** The connection string of Azurite's development account. */
  public static String connectionString() {
    if (endpoint == null) {
      throw new IllegalStateException("Azurite is not started: use @ExtendWith(Azurite.class)");
    }
    return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY
        + ";BlobEndpoint=" + endpoint + ";";
  }

  /** The host and port of Azurite's Blob service, the authority of its {@code azblob:} references. */
  public static String authority() {
    return java.net.URI.create(connectionString().replaceAll("(?s).*BlobEndpoint=([^;]+);.*", "$1")).getRawAuthority();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Server server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(STORE_KEY, key -> {
          Server started = Server.start();
          if (started.endpoint == null) {
            // Surefire does not show why a class was skipped: say it where a reader of the build log sees it.
            System.err.println("Azurite is not available, skipping the tests that need it: " + started.why);
          }
          return started;
        }, Server.class);
    Assumptions.assumeTrue(server.endpoint != null, () -> "Azurite is not available, skipping: " + server.why);
    endpoint = server.endpoint;
  }

  /** The emulator of this run; stopped when the run's root context closes, if this run started it. */
  static final class Server implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final String endpoint;
    final String why;
    private final Process process;
    private final Path log;

    private Server(String endpoint, String why, Process process, Path log) {
      this.endpoint = endpoint;
      this.why = why;
      this.process = process;
      this.log = log;
    }

    static Server start() {
      String given = System.getenv("AZURITE_BLOB_ENDPOINT");
      if (given != null && !given.isBlank()) {
        return new Server(given.trim().replaceAll("/+$", ""), null, null, null);
      }
      Path executable = find();
      if (executable == null) {
        return new Server(null, "no azurite-blob on the PATH nor in " + cache()
            + " (npm install --prefix " + cache() + " azurite@3.35.0)", null, null);
      }
      Process process = null;
      Path log = null;
      try {
        int port = freePort();
        log = Files.createTempFile("azurite", ".log");
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--blobHost", "127.0.0.1",
            "--blobPort", Integer.toString(port), "--inMemoryPersistence", "--skipApiVersionCheck", "--loose"));
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        Process started = process;
        Await.until(Duration.ofSeconds(60), () -> !started.isAlive() || answers(port),
            () -> "Azurite to listen on port " + port);
        if (!process.isAlive()) {
          return new Server(null, "azurite-blob exited at once: " + Files.readString(log).strip(), null, log);
        }
        return new Server("http://127.0.0.1:" + port + "/" + ACCOUNT, null, process, log);
      } catch (IOException | RuntimeException | AssertionError e) {
        if (process != null) {
          process.destroyForcibly();
        }
        return new Server(null, "cannot start " + executable + ": " + e, null, log);
      }
    }

    @Override
    public void close() throws Exception {
      if (process != null) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
      if (log != null) {
        Files.deleteIfExists(log);
      }
    }

    private static Path find() {
      String path = System.getenv("PATH");
      if (path != null) {
        for (String dir : path.split(java.io.File.pathSeparator)) {
          Path candidate = Path.of(dir, "azurite-blob");
          if (Files.isExecutable(candidate)) {
            return candidate;
          }
        }
      }
      Path cached = cache().resolve("node_modules/.bin/azurite-blob");
      return Files.isExecutable(cached) ? cached : null;
    }

    private static Path cache() {
      String root = System.getenv("SHOAL_CACHE");
      return (root != null && !root.isBlank() ? Path.of(root) : Path.of(System.getProperty("user.home"), ".cache", "shoal"))
          .resolve("azurite");
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }

    private static boolean answers(int port) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }
}
