package dev.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.cli.CliRun.Result;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** shoal worker: WorkerMain's flags, help and exit statuses, and a real worker on ElasticMQ. */
class WorkerCommandTest {
  private static ElasticMq sqs;
  private final CliRun shoal = CliRun.shoal();

  @BeforeAll
  static void server() {
    sqs = ElasticMq.start();
  }

  @AfterAll
  static void stop() {
    sqs.close();
  }

  @Test
  void helpListsTheWorkersFlagsAndExitStatuses() {
    Result result = shoal.run("worker", "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.out()).contains("Usage: shoal worker --transport <name>", "Worker flags",
        "--slots", "--idle-timeout", "--max-deliveries", "--queue-wait", "--unreachable-timeout",
        "--exit-with-parent", "--payload-store", "--vm-queue", "exit status: 0 stopped cleanly");
  }

  @Test
  void badFlagsAreTheWorkersUsageErrorsWithItsExitStatus() {
    Result zeroSlots = shoal.run("worker", "--transport", "sqs", "--queue", "q", "--slots", "0");
    Result noQueue = shoal.run("worker", "--transport", "sqs");
    Result unknown = shoal.run("worker", "--transport", "sqs", "--queue", "q", "--frobnicate", "x");

    assertThat(zeroSlots.exit()).isEqualTo(2);
    assertThat(zeroSlots.err()).contains("--slots takes a whole number >= 1, got '0'")
        .contains("usage: shoal worker --transport <name>");
    assertThat(noQueue.exit()).isEqualTo(2);
    assertThat(noQueue.err()).contains("--queue is required");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown option --frobnicate");
  }

  @Test
  void aQueueThatDoesNotAppearIsExitOne() {
    List<String> args = new ArrayList<>(List.of("worker"));
    args.addAll(sqs.options("no-such-queue"));
    args.addAll(List.of("--queue-wait", "0"));

    Result result = shoal.run(args.toArray(String[]::new));

    assertThat(result.exit()).as("%s", result).isEqualTo(1);
    assertThat(result.err()).contains("the queue 'no-such-queue' was not available");
  }

  @Test
  void aWorkerServesTheQueueDeadLettersWhatItCannotRunAndStopsWhenIdle() {
    String queue = sqs.queueWithDeadLetters(5);
    String reply = sqs.transport.createQueue("cli-reply-" + System.nanoTime(), QueueOptions.defaults()).join();
    sqs.transport.send(queue, List.of(sqs.bundle(5, reply, "no.such.app"))).join();
    List<String> args = new ArrayList<>(List.of("worker"));
    args.addAll(sqs.options(queue));
    args.addAll(List.of("--slots", "1", "--idle-timeout", "PT1S", "--receive-wait", "PT1S", "--queue-wait", "0"));

    Result result = shoal.run(args.toArray(String[]::new));

    assertThat(result.exit()).as("%s", result).isZero();
    assertThat(result.out()).contains("ready: queue " + queue + ", 1 slots");
    List<ReceivedMessage> dead = sqs.peek(sqs.deadLettersOf(queue));
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).deadLetterReason()).contains("no.such.app");
    // Unsigned, it told the client why too.
    assertThat(sqs.drain(reply)).hasSize(1);
    assertThat(sqs.peek(queue)).isEmpty();
  }
}
