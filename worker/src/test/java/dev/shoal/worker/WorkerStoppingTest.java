package dev.shoal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.command.Command;
import dev.shoal.command.CommandResult;
import dev.shoal.internal.app.Builtins;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.ResultEnvelope.Status;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.ForwardingTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How a worker stops by itself, and what it leaves behind when it stops. */
@Timeout(60)
class WorkerStoppingTest {
  private final Harness h = new Harness(Duration.ofSeconds(5));

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void givesUpOnceEveryPollHasFailedForTheUnreachableTimeout() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    WorkerConfig config = h.config(h.options().withUnreachableTimeout(Duration.ofSeconds(1)))
        .transport(new ForwardingTransport(h.transport) {
          @Override
          public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
            polls.incrementAndGet();
            return CompletableFuture.failedFuture(new TransportException("connection refused", true));
          }
        }).build();

    Worker worker = Worker.start(config);

    assertThat(worker.awaitTermination(Harness.PATIENCE)).as("the worker gave up").isTrue();
    assertThat(worker.stopReason()).isEqualTo(Worker.StopReason.QUEUE_UNREACHABLE);
    assertThat(polls).as("it tried again before it gave up").hasValueGreaterThan(1);
  }

  @Test
  void pollsThatFailForAWhileAndThenSucceedDoNotStopIt() throws Exception {
    AtomicInteger failuresLeft = new AtomicInteger(2);
    Worker worker = h.start(h.config(h.options().withUnreachableTimeout(Duration.ofMinutes(5)))
        .transport(new ForwardingTransport(h.transport) {
          @Override
          public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
            return failuresLeft.getAndDecrement() > 0
                ? CompletableFuture.failedFuture(new TransportException("connection refused", true))
                : delegate.receive(address, max, wait);
          }
        }));
    h.send(h.task(1, "test.square", 3L));

    assertThat(h.awaitResult().value().asLong()).isEqualTo(9);
    assertThat(worker.isTerminated()).isFalse();
  }

  @Test
  void deletesTheTemporaryWorkDirectoryItMadeWhenItStops() throws Exception {
    Worker worker = h.start();
    Path taskDir = taskDirectoryOfACommand();
    Path workDir = taskDir.getParent().getParent();
    assertThat(workDir.getFileName().toString()).startsWith("shoal-worker-");
    assertThat(taskDir.resolve("stdout.txt")).exists();

    worker.close();

    assertThat(workDir).doesNotExist();
  }

  @Test
  void keepsAWorkDirectoryItWasGiven(@TempDir Path given) throws Exception {
    Worker worker = h.start(h.options().withWorkDir(given));
    Path taskDir = taskDirectoryOfACommand();
    assertThat(taskDir.getParent().getParent().toRealPath()).isEqualTo(given.toRealPath());

    worker.close();

    assertThat(taskDir.resolve("stdout.txt")).exists();
  }

  /** Runs a command task that prints where it runs: the worker's work directory, then the run, then the task. */
  private Path taskDirectoryOfACommand() {
    h.send(h.task(1, Builtins.COMMAND, Command.shell("pwd -P")));
    ResultEnvelope result = h.awaitResult();
    assertThat(result.status()).isEqualTo(Status.OK);
    CommandResult ran = h.codec.json().decode(result.value(), CommandResult.class);
    Path taskDir = Path.of(ran.stdout().trim());
    assertThat(Files.isDirectory(taskDir)).isTrue();
    return taskDir;
  }
}
