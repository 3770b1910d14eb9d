package dev.shoal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.testing.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class WorkerMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  /** What the worker would run on SIGTERM. */
  private final AtomicReference<Runnable> onTerminationSignal = new AtomicReference<>();

  private int run(Map<String, String> env, String... args) {
    return run(new ByteArrayInputStream(new byte[0]), env, args);
  }

  private int run(InputStream in, Map<String, String> env, String... args) {
    return WorkerMain.run(args, in, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, onTerminationSignal::set);
  }

  /** Runs the worker on another thread, once it printed its ready line. */
  private CompletableFuture<Integer> runUntilReady(InputStream in, String... args) {
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> run(in, Map.of(), args));
    Await.until(Duration.ofSeconds(30), () -> out.toString(StandardCharsets.UTF_8).contains("ready") || exit.isDone(),
        () -> "the worker to be ready");
    assertThat(exit).as("exited before it was ready: " + err.toString(StandardCharsets.UTF_8)).isNotDone();
    return exit;
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "--queue q",
      "--transport sqs",
      "--transport sqs --queue q --slots 0",
      "--transport sqs --queue q --slots many",
      "--transport sqs --queue q --lease 30",
      "--transport sqs --queue q --lease 0",
      "--transport sqs --queue q --idle-timeout -PT1S",
      "--transport sqs --queue q --setting novalue",
      "--transport sqs --queue q --frobnicate 1",
      "--transport sqs --queue q stray",
      "--transport sqs --queue"})
  void badArgumentsAreRejected(String line) {
    String[] args = line.split(" ");

    assertThatThrownBy(() -> WorkerOptions.parse(args)).isInstanceOf(IllegalArgumentException.class);
    assertThat(run(Map.of(), args)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "--transport sqs --help"})
  void helpPrintsTheUsageAndExitsZero(String line) {
    assertThat(run(Map.of(), line.split(" "))).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: java -cp <class path> "
        + WorkerMain.class.getName() + " --transport <name>");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void anUnknownTransportIsABadArgument() {
    assertThat(run(Map.of(), "--transport", "no-such-transport", "--queue", "q")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no transport named 'no-such-transport'");
  }

  @Test
  void aNamedSigningKeyVariableThatIsNotSetIsABadArgument() {
    assertThat(run(Map.of(), "--transport", "test-memory", "--queue", "q", "--signing-key-env", "MISSING_KEY"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("MISSING_KEY");
  }

  @Test
  void runsUntilIdleAfterPrintingReadyAndExitsZero() {
    int exit = run(Map.of("SHOAL_SIGNING_KEY", "a key of at least sixteen bytes"),
        "--transport", "test-memory", "--setting", "create=work", "--queue", "work", "--slots", "1",
        "--idle-timeout", "PT0.3S", "--worker-id", "main-test");

    assertThat(exit).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
        "worker main-test ready: queue mem://work, 1 slots" + System.lineSeparator());
  }

  @Test
  void waitsForAQueueThatDoesNotExistYet() {
    int exit = run(Map.of(), "--transport", "test-memory", "--setting", "create=work",
        "--setting", "missing-for-lookups=2", "--queue", "work", "--slots", "1", "--idle-timeout", "PT0.3S",
        "--worker-id", "late-queue");

    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("worker late-queue ready: queue mem://work");
  }

  @Test
  void givesUpWhenTheQueueDoesNotAppearWithinTheQueueWait() {
    int exit = run(Map.of(), "--transport", "test-memory", "--queue", "never", "--queue-wait", "PT1S");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("the queue 'never' was not available within PT1S");
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("ready");
  }

  @Test
  void aSigtermWhileWaitingForTheQueueStopsTheWaitAndExitsZero() throws Exception {
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> run(Map.of(),
        "--transport", "test-memory", "--queue", "never", "--queue-wait", "PT10M"));
    Await.until(Duration.ofSeconds(30), () -> onTerminationSignal.get() != null, () -> "the SIGTERM handler");

    onTerminationSignal.get().run();

    assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(0);
  }

  @Test
  void aSigtermStopsARunningWorkerCleanlyWithExitStatusZero() throws Exception {
    CompletableFuture<Integer> exit = runUntilReady(new ByteArrayInputStream(new byte[0]),
        "--transport", "test-memory", "--setting", "create=work", "--queue", "work", "--idle-timeout", "0");

    onTerminationSignal.get().run();

    assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(0);
  }

  @Test
  void withExitWithParentItStopsWhenItsStandardInputEnds() throws Exception {
    PipedOutputStream parent = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(parent);
    CompletableFuture<Integer> exit = runUntilReady(stdin, "--transport", "test-memory", "--setting", "create=work",
        "--queue", "work", "--idle-timeout", "0", "--exit-with-parent");
    parent.write("anything a launcher writes is ignored\n".getBytes(StandardCharsets.UTF_8));
    parent.flush();

    parent.close();

    assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(0);
  }

  @Test
  void givesUpWithExitStatusThreeWhenEveryPollFailsForTheUnreachableTimeout() {
    int exit = run(Map.of(), "--transport", "test-memory", "--setting", "create=work",
        "--setting", "receive-fails=true", "--queue", "work", "--idle-timeout", "0", "--unreachable-timeout", "PT1S");

    assertThat(exit).isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("gave up: every poll of the queue failed for PT1S");
  }

  @Test
  void beatsTheHeartbeatTheEnvironmentNamesWithTheProviderOfItsScheme(@TempDir Path dir) throws Exception {
    Path beats = dir.resolve("beats");

    int exit = run(Map.of(HeartbeatProvider.TARGET_ENV, "test-file:" + beats, HeartbeatProvider.PERIOD_ENV, "PT1H"),
        "--transport", "test-memory", "--setting", "create=work", "--queue", "work", "--slots", "1",
        "--idle-timeout", "PT0.3S", "--worker-id", "main-test");

    assertThat(exit).isEqualTo(0);
    // The first beat is at once: it is what tells the dispatcher that the worker polls.
    assertThat(Files.readAllLines(beats)).containsExactly("beat");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SHOAL_HEARTBEAT=nope://bucket/key", "SHOAL_HEARTBEAT=no scheme",
      "SHOAL_HEARTBEAT_PERIOD=60"})
  void aHeartbeatThatCannotBeBeatenIsABadArgument(String variable) {
    String[] pair = variable.split("=", 2);
    Map<String, String> env = new java.util.HashMap<>(Map.of(HeartbeatProvider.TARGET_ENV, "test-file:/tmp/x"));
    env.put(pair[0], pair[1]);

    assertThat(run(env, "--transport", "test-memory", "--setting", "create=work", "--queue", "work")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(pair[0]).doesNotContain("ready");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
