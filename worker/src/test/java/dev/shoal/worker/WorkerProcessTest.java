package dev.shoal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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

/** A worker as a process of its own: how it ends, with what status, and what it leaves. */
@Timeout(120)
@DisabledOnOs(OS.WINDOWS)
class WorkerProcessTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  /** The worker's temporary directory (java.io.tmpdir), where it makes its work directory. */
  @TempDir
  Path tmp;
  @TempDir
  Path logs;

  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private Process worker;

  @AfterEach
  void killWorker() {
    if (worker != null) {
      worker.destroyForcibly();
    }
  }

  @Test
  void sigtermDrainsTheWorkerWhichExitsZeroAndDeletesItsWorkDirectory() throws Exception {
    start();
    assertThat(workDirectories()).as("the work directory it made").hasSize(1);

    worker.destroy(); // SIGTERM

    assertThat(worker.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(worker.exitValue()).as(log()).isEqualTo(0);
    assertThat(workDirectories()).as("work directories left behind").isEmpty();
    assertThat(log()).contains("asked to stop");
  }

  @Test
  void withExitWithParentItStopsWhenTheParentsEndOfItsStandardInputCloses() throws Exception {
    start("--exit-with-parent");

    worker.getOutputStream().close(); // what the system does when the parent dies

    assertThat(worker.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(worker.exitValue()).as(log()).isEqualTo(0);
    assertThat(log()).contains("standard input ended: the process that started this worker is gone; stopping");
    assertThat(workDirectories()).isEmpty();
  }

  private void start(String... extra) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + tmp, "-Xshare:auto", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        WorkerOptions.MAIN_CLASS, "--transport", "test-memory", "--setting", "create=work", "--queue", "work",
        "--slots", "1", "--idle-timeout", "0", "--receive-wait", "PT1S"));
    command.addAll(List.of(extra));
    worker = new ProcessBuilder(command)
        .redirectError(logs.resolve("worker.log").toFile())
        .start();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(stdout::add);
      } catch (IOException | java.io.UncheckedIOException e) {
        // The worker is gone.
      }
    });
    reader.setDaemon(true);
    reader.start();
    Await.until(PATIENCE, () -> stdout.stream().anyMatch(line -> line.contains("ready")) || !worker.isAlive(),
        () -> "the worker to print its ready line");
    assertThat(worker.isAlive()).as(log()).isTrue();
  }

  private List<Path> workDirectories() throws IOException {
    try (Stream<Path> entries = Files.list(tmp)) {
      return entries.filter(path -> path.getFileName().toString().startsWith("shoal-worker-")).toList();
    }
  }

  private String log() {
    try {
      return Files.readString(logs.resolve("worker.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
