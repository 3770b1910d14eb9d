package dev.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.cli.CliRun.Result;
import dev.shoal.spi.ReceivedMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dlq commands against a real SQS server (ElasticMQ), on dead letters put there as workers put
 * them (the transport's deadLetter, with a reason) and as the queue itself does (too many deliveries);
 * each test checks what the queues hold afterwards.
 */
class DlqCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ElasticMq sqs;

  private final CliRun shoal = CliRun.shoal();
  private String queue;
  private String deadLetters;
  private byte[] bundle;
  private byte[] garbage;
  private byte[] redriven;
  private String bundleId;
  private String garbageId;
  private String redrivenId;

  @BeforeAll
  static void server() {
    sqs = ElasticMq.start();
  }

  @AfterAll
  static void stop() {
    sqs.close();
  }

  @BeforeEach
  void deadLetters() {
    queue = sqs.queueWithDeadLetters(1);
    deadLetters = sqs.deadLettersOf(queue);
    String reply = sqs.transport.createQueue("cli-reply-" + System.nanoTime(), dev.shoal.spi.QueueOptions.defaults())
        .join();
    bundle = sqs.bundle(41, reply, "pi.sample", "pi.sample", "pi.estimate");
    garbage = "not json {\t".getBytes(StandardCharsets.UTF_8);
    redriven = sqs.bundle(7, reply, "crashes.workers");
    bundleId = sqs.deadLetter(queue, bundle, "unknown app: no app named 'pi.sample' on worker w-1");
    garbageId = sqs.deadLetter(queue, garbage, "malformed: message is not JSON");
    redrivenId = sqs.redrivenByTheQueue(queue, redriven);
  }

  private Result dlq(String command, String... more) {
    List<String> args = new ArrayList<>(List.of("dlq", command));
    args.addAll(sqs.options(queue));
    args.addAll(List.of(more));
    return shoal.run(args.toArray(String[]::new));
  }

  private List<String> idsIn(String address) {
    return sqs.peek(address).stream().map(ReceivedMessage::id).toList();
  }

  @Test
  void listShowsEachDeadLetterWithItsReasonAndLeavesThemAllThere() {
    Result result = dlq("list");

    assertThat(result.exit()).as("%s", result).isZero();
    List<String> lines = result.out().lines().toList();
    assertThat(lines.get(0)).containsPattern("ID +RECEIVES +TASKS +TASK IDS +APPS +REASON");
    assertThat(lines).anySatisfy(line -> assertThat(line).contains(bundleId, " 3 ", "41,42,43", "pi.sample,pi.estimate",
        "unknown app: no app named 'pi.sample' on worker w-1"));
    assertThat(lines).anySatisfy(line -> assertThat(line).contains(garbageId, "(unreadable)",
        "malformed: message is not JSON"));
    assertThat(lines).anySatisfy(line -> assertThat(line).contains(redrivenId, "crashes.workers",
        "(none recorded"));
    assertThat(lines.get(lines.size() - 1)).isEqualTo("3 dead letter(s) in " + deadLetters);
    assertThat(idsIn(deadLetters)).containsExactlyInAnyOrder(bundleId, garbageId, redrivenId);
    assertThat(sqs.peek(queue)).isEmpty();
  }

  @Test
  void listAsJsonHasTheEnvelopesOfEachBundle() throws Exception {
    Result result = dlq("list", "--json");

    assertThat(result.exit()).as("%s", result).isZero();
    JsonNode letters = JSON.readTree(result.out());
    assertThat(letters).hasSize(3);
    JsonNode bundled = find(letters, bundleId);
    assertThat(bundled.path("kind").asText()).isEqualTo("tasks");
    assertThat(bundled.path("reason").asText()).startsWith("unknown app");
    assertThat(bundled.path("envelopes")).hasSize(3);
    assertThat(bundled.path("envelopes").get(0).path("task").asLong()).isEqualTo(41);
    assertThat(bundled.path("envelopes").get(2).path("app").asText()).isEqualTo("pi.estimate");
    assertThat(bundled.path("envelopes").get(0).path("run").asText()).isEqualTo(ElasticMq.RUN);
    JsonNode unreadable = find(letters, garbageId);
    assertThat(unreadable.path("kind").asText()).isEqualTo("unreadable");
    assertThat(unreadable.path("problem").asText()).startsWith("message is not JSON");
    assertThat(find(letters, redrivenId).has("reason")).isFalse();
  }

  private static JsonNode find(JsonNode letters, String id) {
    for (JsonNode letter : letters) {
      if (letter.path("id").asText().equals(id)) {
        return letter;
      }
    }
    throw new AssertionError("no dead letter " + id + " in " + letters);
  }

  @Test
  void listStopsAtMax() {
    Result result = dlq("list", "--max", "2");

    assertThat(result.exit()).as("%s", result).isZero();
    assertThat(result.out()).contains("2 dead letter(s) in " + deadLetters + " (the first 2; --max for more)");
    assertThat(idsIn(deadLetters)).hasSize(3);
  }

  @Test
  void showDecodesTheBundlesTasks() {
    Result result = dlq("show", bundleId);

    assertThat(result.exit()).as("%s", result).isZero();
    assertThat(result.out()).contains("id:       " + bundleId,
        "reason:   unknown app: no app named 'pi.sample' on worker w-1", "body:     a bundle of 3 tasks",
        "[1000000,0]", "pi.estimate");
    assertThat(result.out().lines()).anySatisfy(line -> assertThat(line).containsPattern(
        "^ *42 +" + ElasticMq.RUN + " +pi\\.sample +1 "));
    assertThat(idsIn(deadLetters)).contains(bundleId);
  }

  @Test
  void showSaysAMalformedBodyIsUnreadableAndShowsItsStartSafely() {
    Result result = dlq("show", garbageId);

    assertThat(result.exit()).as("%s", result).isZero();
    assertThat(result.out()).contains("body:     unreadable: message is not JSON",
        "starts:   not json {\\u0009");
    assertThat(result.out()).doesNotContain("{\t");
  }

  @Test
  void showOfAnIdThatIsNotThereFails() {
    Result result = dlq("show", "no-such-id");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err()).contains("no dead letter no-such-id in " + deadLetters);
    assertThat(idsIn(deadLetters)).hasSize(3);
  }

  @Test
  void redriveOfOneSendsItBackToTheQueueAndRemovesItFromTheDeadLetters() {
    Result result = dlq("redrive", bundleId);

    assertThat(result.exit()).as("%s", result).isZero();
    assertThat(result.out()).contains("redrove 1 dead letter(s) to " + queue);
    List<ReceivedMessage> back = sqs.drain(queue);
    assertThat(back).hasSize(1);
    assertThat(back.get(0).body()).isEqualTo(bundle);
    assertThat(idsIn(deadLetters)).containsExactlyInAnyOrder(garbageId, redrivenId);
  }

  @Test
  void redriveAllSendsEveryDeadLetterBack() {
    Result result = dlq("redrive", "--all");

    assertThat(result.exit()).as("%s", result).isZero();
    assertThat(result.out()).contains("redrove 3 dead letter(s) to " + queue);
    List<String> bodies = sqs.drain(queue).stream().map(m -> new String(m.body(), StandardCharsets.UTF_8)).toList();
    assertThat(bodies).containsExactlyInAnyOrder(new String(bundle, StandardCharsets.UTF_8),
        new String(garbage, StandardCharsets.UTF_8), new String(redriven, StandardCharsets.UTF_8));
    assertThat(idsIn(deadLetters)).isEmpty();
  }

  @Test
  void redriveOfAnIdThatIsNotThereRedrivesTheOthersAndFails() {
    Result result = dlq("redrive", garbageId, "no-such-id");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).contains("redrove 1 dead letter(s)");
    assertThat(result.err()).contains("no dead letter no-such-id");
    assertThat(sqs.drain(queue)).hasSize(1);
    assertThat(idsIn(deadLetters)).containsExactlyInAnyOrder(bundleId, redrivenId);
  }

  @Test
  void purgeAsksAndKeepsEverythingUnlessTheAnswerIsYes() {
    Result declined = shoal.stdin("n\n").run(args("purge"));
    assertThat(declined.exit()).as("%s", declined).isEqualTo(1);
    assertThat(declined.err()).contains("Delete 3 dead letter(s) of " + deadLetters + " for good? [y/N]");
    assertThat(declined.out()).contains("not purged");
    assertThat(idsIn(deadLetters)).hasSize(3);

    Result noAnswer = shoal.run(args("purge"));
    assertThat(noAnswer.exit()).isEqualTo(1);
    assertThat(idsIn(deadLetters)).hasSize(3);

    Result accepted = shoal.stdin("yes\n").run(args("purge"));
    assertThat(accepted.exit()).as("%s", accepted).isZero();
    assertThat(accepted.out()).contains("purged 3 dead letter(s) from " + deadLetters);
    assertThat(idsIn(deadLetters)).isEmpty();
  }

  @Test
  void purgeWithYesDoesNotAskAndAnEmptyQueueIsNoFailure() {
    Result purged = dlq("purge", "--yes");
    Result again = dlq("purge", "--yes");
    Result list = dlq("list");

    assertThat(purged.exit()).as("%s", purged).isZero();
    assertThat(purged.err()).doesNotContain("Delete");
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("no dead letters in " + deadLetters);
    assertThat(list.out()).contains("no dead letters in " + deadLetters);
    assertThat(idsIn(deadLetters)).isEmpty();
  }

  @Test
  void aQueueWithoutADeadLetterQueueIsAFailureThatSaysSo() {
    String plain = sqs.transport.createQueue("cli-plain-" + System.nanoTime(), dev.shoal.spi.QueueOptions.defaults())
        .join();
    List<String> args = new ArrayList<>(List.of("dlq", "list"));
    args.addAll(sqs.options(plain));

    Result result = shoal.run(args.toArray(String[]::new));

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err()).contains("shoal dlq list: error: ").contains("has no dead-letter queue");
  }

  @Test
  void theQueueCanComeFromTheEnvironment() {
    List<String> args = new ArrayList<>(List.of("dlq", "list"));
    List<String> options = sqs.options(queue);
    args.addAll(options.subList(0, options.size() - 2));

    Result result = shoal.env(java.util.Map.of("SHOAL_TASK_QUEUE_URL", queue)).run(args.toArray(String[]::new));

    assertThat(result.exit()).as("%s", result).isZero();
    assertThat(result.out()).contains("3 dead letter(s) in " + deadLetters);
  }

  private String[] args(String command) {
    List<String> args = new ArrayList<>(List.of("dlq", command));
    args.addAll(sqs.options(queue));
    return args.toArray(String[]::new);
  }
}
