package dev.shoal.aws;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * moto's server, the AWS API emulator of the tests: the one at {@code MOTO_ENDPOINT} if set (CI
 * starts it), else one started once per test run with {@code infra/moto/start.sh} and stopped with
 * {@code infra/moto/stop.sh} when the run ends (unless start.sh found one already running, which is
 * then left alone). Tests are skipped, saying why, when moto cannot be installed or started.
 *
 * <p>Use it as {@code @ExtendWith(Moto.class)} and read {@link #endpoint()}.
 */
public final class Moto implements BeforeAllCallback {
  private static final String KEY = "shoal.moto";

  /** Client settings for moto: its endpoint, a region, and the fixed credentials it accepts. */
  public static Map<String, String> settings() {
    return Map.of(SqsClients.ENDPOINT, endpoint().toString(), SqsClients.REGION, "us-east-1",
        SqsClients.CREDENTIALS, "static");
  }

  private static volatile URI endpoint;

  /**
   * The code of a Lambda function that is never run (moto would run it in Docker): a jar with only
   * a manifest, for functions that tests create to name, invoke asynchronously or map.
   */
  public static byte[] unrunFunctionCode() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
      zip.putNextEntry(new java.util.zip.ZipEntry("META-INF/MANIFEST.MF"));
      zip.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.US_ASCII));
      zip.closeEntry();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static URI endpoint() {
    if (endpoint == null) {
      throw new IllegalStateException("moto is not started: use @ExtendWith(Moto.class)");
    }
    return endpoint;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Server server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(KEY, key -> Server.start(), Server.class);
    Assumptions.assumeTrue(server.endpoint != null, () -> "moto's server is not available, skipping: " + server.why);
    endpoint = server.endpoint;
  }

  /** The server of this run; stopped when the run's root context closes, if this run started it. */
  static final class Server implements ExtensionContext.Store.CloseableResource {
    final URI endpoint;
    final String why;
    private final Path repo;
    private final boolean startedHere;

    private Server(URI endpoint, String why, Path repo, boolean startedHere) {
      this.endpoint = endpoint;
      this.why = why;
      this.repo = repo;
      this.startedHere = startedHere;
    }

    static Server start() {
      String given = System.getenv("MOTO_ENDPOINT");
      if (given != null && !given.isBlank()) {
        return new Server(URI.create(given.trim()), null, null, false);
      }
      Path repo = repoRoot();
      if (repo == null) {
        return new Server(null, "infra/moto/start.sh not found above " + Path.of("").toAbsolutePath(), null, false);
      }
      try {
        Path err = Files.createTempFile("moto-start", ".log");
        Process process = new ProcessBuilder("bash", repo.resolve("infra/moto/start.sh").toString())
            .redirectError(err.toFile())
            .start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          return new Server(null, "infra/moto/start.sh took over 5 minutes", null, false);
        }
        String log = Files.readString(err);
        Files.deleteIfExists(err);
        String line = out.lines().filter(l -> l.startsWith("MOTO_ENDPOINT=")).findFirst().orElse(null);
        if (process.exitValue() != 0 || line == null) {
          return new Server(null, "infra/moto/start.sh failed (exit " + process.exitValue() + "): "
              + tail(log), null, false);
        }
        boolean reused = log.contains("reusing");
        return new Server(URI.create(line.substring("MOTO_ENDPOINT=".length()).trim()), null, repo, !reused);
      } catch (IOException e) {
        return new Server(null, "cannot run infra/moto/start.sh: " + e, null, false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Server(null, "interrupted while starting moto", null, false);
      }
    }

    @Override
    public void close() throws Exception {
      if (!startedHere) {
        return;
      }
      Process stop = new ProcessBuilder("bash", repo.resolve("infra/moto/stop.sh").toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      stop.waitFor(30, TimeUnit.SECONDS);
    }

    private static Path repoRoot() {
      for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
        if (Files.isRegularFile(dir.resolve("infra/moto/start.sh"))) {
          return dir;
        }
      }
      return null;
    }

    private static String tail(String text) {
      return text.length() <= 600 ? text.strip() : "..." + text.substring(text.length() - 600).strip();
    }
  }
}
