package dev.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.cli.CliRun.Result;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** shoal status against a real SQS server (ElasticMQ, one per test: reply queues are listed server-wide). */
class StatusCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CliRun shoal = CliRun.shoal();
  private ElasticMq sqs;
  private String queue;
  private String reply;
  private String vm;

  @BeforeEach
  void queues() {
    sqs = ElasticMq.start();
    queue = sqs.queueWithDeadLetters(5);
    vm = sqs.queueWithDeadLetters(5);
    reply = sqs.transport.createQueue(StatusCommand.REPLY_PREFIX + UUID.randomUUID(), QueueOptions.defaults()).join();
    // Task queue: 2 dead letters, 2 waiting, 1 leased. VM queue: 1 waiting. Reply queue: 1 waiting.
    sqs.deadLetter(queue, bytes("d"), "malformed: d");
    sqs.deadLetter(queue, bytes("e"), "malformed: e");
    sqs.transport.send(queue, List.of(bytes("a"), bytes("b"), bytes("c"))).join();
    List<ReceivedMessage> leased = sqs.transport.receive(queue, 1, Duration.ofSeconds(5)).join();
    assertThat(leased).hasSize(1);
    sqs.transport.send(vm, List.of(bytes("f"))).join();
    sqs.transport.send(reply, List.of(bytes("g"))).join();
  }

  @AfterEach
  void stop() {
    sqs.close();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private Result status(String... more) {
    List<String> args = new ArrayList<>(List.of("status"));
    args.addAll(sqs.options(queue));
    args.addAll(List.of(more));
    return shoal.run(args.toArray(String[]::new));
  }

  @Test
  void aTableOfTheQueuesWithWaitingInFlightAndDeadLetters() {
    Result result = status("--vm-queue", vm);

    assertThat(result.exit()).as("%s", result).isZero();
    List<String> lines = result.out().lines().toList();
    assertThat(lines.get(0)).containsPattern("ROLE +QUEUE +WAITING +IN FLIGHT +DEAD LETTERS");
    assertThat(lines.get(1)).matches("task +" + queue + " +2 +1 +2");
    assertThat(lines.get(2)).matches("vm +" + vm + " +1 +0 +0");
    // A reply queue has no dead-letter queue: no count, and no complaint.
    assertThat(lines.get(3)).matches("reply +" + reply + " +1 +0 +-");
    assertThat(result.out()).doesNotContain("! ").contains("pool: not shown (give --cloud aws|azure");
  }

  @Test
  void asJsonForScripts() throws Exception {
    Result result = status("--json");

    assertThat(result.exit()).as("%s", result).isZero();
    JsonNode status = JSON.readTree(result.out());
    JsonNode task = status.path("queues").get(0);
    assertThat(task.path("role").asText()).isEqualTo("task");
    assertThat(task.path("address").asText()).isEqualTo(queue);
    assertThat(task.path("waiting").asLong()).isEqualTo(2);
    assertThat(task.path("inFlight").asLong()).isEqualTo(1);
    assertThat(task.path("deadLetters").asLong()).isEqualTo(2);
    assertThat(status.path("queues")).hasSize(2);
    assertThat(status.path("queues").get(1).path("role").asText()).isEqualTo("reply");
    assertThat(status.path("queues").get(1).has("deadLetters")).isFalse();
    assertThat(status.has("pool")).isFalse();
  }

  @Test
  void theVmQueueCanComeFromTheEnvironment() throws Exception {
    List<String> args = new ArrayList<>(List.of("status", "--json"));
    args.addAll(sqs.options(queue));

    Result result = shoal.env(Map.of("SHOAL_VM_QUEUE_URL", vm)).run(args.toArray(String[]::new));

    assertThat(result.exit()).as("%s", result).isZero();
    JsonNode queues = JSON.readTree(result.out()).path("queues");
    assertThat(queues.get(1).path("role").asText()).isEqualTo("vm");
    assertThat(queues.get(1).path("address").asText()).isEqualTo(vm);
  }

  @Test
  void aTaskQueueThatCannotBeReadFailsAndSaysWhy() {
    List<String> args = new ArrayList<>(List.of("status"));
    args.addAll(sqs.options("no-such-queue"));

    Result result = shoal.run(args.toArray(String[]::new));

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).containsPattern("task +no-such-queue +- +- +-")
        .contains("! task queue no-such-queue: could not find queue no-such-queue");
  }
}
