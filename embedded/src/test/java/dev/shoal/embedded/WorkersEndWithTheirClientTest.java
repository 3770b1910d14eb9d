package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The worker JVMs of a local cluster end with the client JVM that started them, however it ends. */
@Timeout(240)
@DisabledOnOs(OS.WINDOWS)
class WorkersEndWithTheirClientTest {
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  /** The client's run directory; the workers' logs are in its "workers" folder. */
  @TempDir
  Path runDir;

  private Process client;
  private final List<ProcessHandle> workers = new ArrayList<>();

  @AfterEach
  void killEverythingLeft() {
    if (client != null) {
      client.destroyForcibly();
    }
    workers.forEach(ProcessHandle::destroyForcibly);
  }

  @Test
  void workersExitWhenTheClientIsKilledWithSigkill() throws Exception {
    List<String> lines = startClient();
    lines.stream().filter(line -> line.startsWith("worker-pid "))
        .map(line -> ProcessHandle.of(Long.parseLong(line.substring("worker-pid ".length()))).orElseThrow())
        .forEach(workers::add);
    assertThat(workers).hasSize(2).allMatch(ProcessHandle::isAlive);

    client.destroyForcibly(); // SIGKILL: no shutdown hook, no close
    assertThat(client.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

    Await.until(PATIENCE, () -> workers.stream().noneMatch(ProcessHandle::isAlive),
        () -> "the workers " + workers + " to exit after their client was killed; logs:\n" + workerLogs());
    assertThat(workerLogs()).contains("standard input ended: the process that started this worker is gone; stopping");
  }

  /** Starts the client and returns what it printed up to "client ready". */
  private List<String> startClient() throws IOException {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        BlockingClientMain.class.getName(), runDir.toString());
    client = new ProcessBuilder(command).redirectError(runDir.resolve("client.err").toFile()).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
        out.lines().forEach(lines::add);
      } catch (IOException | UncheckedIOException e) {
        // The client is gone.
      }
    });
    reader.setDaemon(true);
    reader.start();
    Await.until(PATIENCE, () -> lines.stream().anyMatch(line -> line.startsWith("client ready")) || !client.isAlive(),
        () -> "the client to start its cluster");
    assertThat(client.isAlive()).as("the client is running: " + read(runDir.resolve("client.err"))).isTrue();
    return List.copyOf(lines);
  }

  private String workerLogs() {
    try (Stream<Path> files = Files.list(runDir.resolve("workers"))) {
      StringBuilder all = new StringBuilder();
      files.filter(file -> file.getFileName().toString().startsWith("local-"))
          .forEach(file -> all.append("== ").append(file.getFileName()).append('\n').append(read(file)));
      return all.toString();
    } catch (IOException e) {
      return "(no logs: " + e + ")";
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
