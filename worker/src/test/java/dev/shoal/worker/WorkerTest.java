package dev.shoal.worker;

import static dev.shoal.worker.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.command.Command;
import dev.shoal.command.CommandFailedException;
import dev.shoal.command.CommandResult;
import dev.shoal.internal.app.Builtins;
import dev.shoal.internal.wire.Decoded;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.ResultEnvelope.Status;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.spi.ForwardingTransport;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WorkerTest {
  private static final Duration SHORT_LEASE = Duration.ofMillis(500);

  private Harness harness;

  private Harness harness(Duration lease) {
    harness = new Harness(lease);
    return harness;
  }

  @AfterEach
  void tearDown() {
    if (harness != null) {
      harness.close();
    }
  }

  private static String key() {
    return UUID.randomUUID().toString();
  }

  private static Map<Long, ResultEnvelope> byId(List<ResultEnvelope> results) {
    return results.stream().collect(Collectors.toMap(ResultEnvelope::id, Function.identity()));
  }

  @Test
  void runsEveryTaskOfABundleAndAcksTheMessageOnlyAfterAllResultsArePosted() {
    Harness h = harness(SHORT_LEASE);
    String gate = key();
    List<TaskEnvelope> bundle = new ArrayList<>();
    for (long i = 1; i <= 200; i++) {
      bundle.add(h.task(i, "test.square", i));
    }
    bundle.add(h.task(201, "test.block", gate));
    h.send(bundle.toArray(TaskEnvelope[]::new));
    h.start(h.options().withSlots(4));

    Map<Long, ResultEnvelope> squares = byId(h.awaitResults(200));
    // The blocked task still holds the message: it must not have been acked.
    assertThat(h.depth().inFlight()).isEqualTo(1);
    TestApps.gate(gate).open().countDown();
    ResultEnvelope last = h.awaitResult();
    await("the message to be acked", () -> h.depth().total() == 0);

    assertThat(squares).hasSize(200);
    for (long i = 1; i <= 200; i++) {
      ResultEnvelope result = squares.get(i);
      assertThat(result.status()).isEqualTo(Status.OK);
      assertThat(result.value().asLong()).isEqualTo(i * i);
      assertThat(result.run()).isEqualTo(Harness.RUN);
      assertThat(result.attempt()).isEqualTo(1);
      assertThat(result.worker()).isEqualTo("w1");
      assertThat(result.received()).isNotNull();
      assertThat(result.started()).isNotNull();
      assertThat(result.finished()).isNotNull();
    }
    assertThat(last.id()).isEqualTo(201);
    assertThat(last.value().asText()).isEqualTo(gate);
    assertThat(h.receiveResults(Duration.ofMillis(300))).as("duplicates").isEmpty();
  }

  @Test
  void aWorkerServesTheVmOnlyQueueBesideItsOwnAndSettlesEachMessageWhereItCameFrom() {
    Harness h = harness(SHORT_LEASE);
    String vmQueue = h.memory.createQueue("tasks-vm", QueueOptions.defaults().withVisibilityTimeout(SHORT_LEASE)
        .withMaxReceiveCount(10)).join();
    String gate = key();
    h.memory.send(vmQueue, List.of(h.codec.encodeTasks(List.of(h.task(1, "test.block", gate))))).join();
    h.start(h.options().withVmQueue(vmQueue));
    await("the VM-only task to start", () -> TestApps.gate(gate).started().getCount() == 0);

    // The other queue is served meanwhile, by the free slot.
    h.send(h.task(2, "test.square", 7L));
    assertThat(h.awaitResult().value().asLong()).isEqualTo(49);
    // Longer than two leases: renewed on its own queue, the held message never comes back.
    assertThat(h.receiveResults(Duration.ofMillis(1200))).as("a redelivery's result").isEmpty();
    assertThat(h.memory.depth(vmQueue).join()).isEqualTo(new QueueDepth(0, 1));
    assertThat(h.depth().total()).isZero();

    TestApps.gate(gate).open().countDown();
    assertThat(h.awaitResult().value().asText()).isEqualTo(gate);
    await("the VM-only message to be acked on its queue", () -> h.memory.depth(vmQueue).join().total() == 0);
    assertThat(h.deadLetterReasons()).isEmpty();
  }

  @Test
  void anAppExceptionIsReportedAsAnAppErrorWithItsStack() {
    Harness h = harness(SHORT_LEASE);
    h.send(h.task(1, "test.fail", "boom"));
    h.start();

    ResultEnvelope result = h.awaitResult();
    await("the message to be acked", () -> h.depth().total() == 0);

    assertThat(result.status()).isEqualTo(Status.APP_ERROR);
    assertThat(result.error().type()).isEqualTo(IllegalStateException.class.getName());
    assertThat(result.error().message()).isEqualTo("boom");
    assertThat(result.error().stack()).anySatisfy(frame -> assertThat(frame).contains("TestApps"));
    assertThat(h.deadLetterReasons()).isEmpty();
  }

  @Test
  void anUnknownAppIsAWorkerErrorAndItsTaskIsDeadLettered() {
    Harness h = harness(SHORT_LEASE);
    h.send(h.task(7, "no.such.app", 1));
    h.start();

    ResultEnvelope result = h.awaitResult();
    List<ReceivedMessage> dead = h.awaitDeadLetters(1);

    assertThat(result.status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(result.id()).isEqualTo(7);
    assertThat(result.error().message()).isEqualTo("unknown app 'no.such.app' on worker w1");
    assertThat(h.deadLetterReasons()).containsExactly("unknown app 'no.such.app' on worker w1");
    assertThat(h.codec.decodeTasks(dead.get(0).body(), 1 << 20).envelopes())
        .extracting(TaskEnvelope::id).containsExactly(7L);
    assertThat(h.depth().total()).isZero();
  }

  @Test
  void unreadableMessagesAreDeadLetteredAndTheWorkerKeepsServing() {
    harness = new Harness(SHORT_LEASE, 4096);
    Harness h = harness;
    h.sendRaw("this is not json".getBytes(StandardCharsets.UTF_8));
    h.sendRaw("{\"v\":99,\"kind\":\"tasks\",\"tasks\":[]}".getBytes(StandardCharsets.UTF_8));
    h.sendRaw("{\"v\":1,\"kind\":\"results\",\"results\":[]}".getBytes(StandardCharsets.UTF_8));
    h.send(h.task(1, "test.square", "x".repeat(8000)));
    h.start();
    h.send(h.task(2, "test.square", 12));

    ResultEnvelope good = h.awaitResult();
    await("four dead letters", () -> h.deadLetterReasons().size() == 4);

    assertThat(good.id()).isEqualTo(2);
    assertThat(good.value().asLong()).isEqualTo(144);
    assertThat(h.deadLetterReasons()).satisfiesExactlyInAnyOrder(
        reason -> assertThat(reason).contains("not JSON"),
        reason -> assertThat(reason).contains("protocol version 99"),
        reason -> assertThat(reason).contains("not a bundle of tasks"),
        reason -> assertThat(reason).contains("over the limit of 4096"));
    assertThat(h.depth().total()).isZero();
  }

  @Test
  void aMixedBundleRunsTheGoodEnvelopesAndDeadLettersOnlyTheBadOnes() {
    Harness h = harness(SHORT_LEASE);
    byte[] invalid = ("{\"v\":1,\"id\":2,\"run\":\"" + Harness.RUN + "\",\"app\":\"bad name!\",\"args\":[],"
        + "\"attempt\":3,\"reply\":\"" + h.replies + "\"}").getBytes(StandardCharsets.UTF_8);
    h.sendRaw(dev.shoal.internal.wire.BundleWriter.tasks(Integer.MAX_VALUE, Integer.MAX_VALUE).frame(List.of(
        h.codec.envelopeBytes(h.task(1, "test.square", 3)),
        invalid,
        h.codec.envelopeBytes(h.task(3, "no.such.app")),
        h.codec.envelopeBytes(h.task(4, "test.square", 4)))));
    h.start();

    Map<Long, ResultEnvelope> results = byId(h.awaitResults(4));
    ReceivedMessage dead = h.awaitDeadLetters(1).get(0);
    await("the original to be gone", () -> h.depth().total() == 0);

    assertThat(results.get(1L).value().asLong()).isEqualTo(9);
    assertThat(results.get(4L).value().asLong()).isEqualTo(16);
    assertThat(results.get(2L).status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(results.get(2L).attempt()).isEqualTo(3);
    assertThat(results.get(2L).error().message()).contains("app name");
    assertThat(results.get(3L).status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(results.get(3L).error().message()).contains("unknown app 'no.such.app'");
    Decoded<TaskEnvelope> deadTasks = h.codec.decodeTasks(dead.body(), 1 << 20);
    assertThat(deadTasks.envelopes()).extracting(TaskEnvelope::id).containsExactly(3L);
    assertThat(deadTasks.rejected()).extracting(Decoded.Rejected::id).containsExactly(2L);
    assertThat(h.deadLetterReasons()).singleElement().asString()
        .startsWith("2 of 4 envelopes rejected").contains("[1]").contains("[2] unknown app");
  }

  @Test
  void aWorkerWithAKeyRunsSignedTasksAndDeadLettersUnsignedAndForgedOnesUnanswered() {
    Harness h = harness(SHORT_LEASE);
    EnvelopeSigner signer = EnvelopeSigner.fromSecret("a test key of enough length", h.codec);
    String forgedKey = key();
    TaskEnvelope signed = signer.sign(h.task(1, "test.square", 5));
    TaskEnvelope unsigned = h.task(2, "test.square", 6);
    TaskEnvelope genuine = signer.sign(h.task(3, "test.count", forgedKey, 0));
    TaskEnvelope forged = new TaskEnvelope(genuine.v(), genuine.id(), genuine.run(), genuine.app(),
        h.codec.json().toTree(List.of(forgedKey, 1)), genuine.attempt(), genuine.reply(), genuine.deadline(),
        genuine.sig());
    h.send(signed, unsigned, forged);
    h.start(h.config().signer(signer));

    List<ResultEnvelope> results = new ArrayList<>(h.awaitResults(1));
    ReceivedMessage dead = h.awaitDeadLetters(1).get(0);
    // A message is dead-lettered only once every result of it was posted: none is still to come.
    results.addAll(h.receiveResults(Duration.ZERO));

    // Nothing is posted for the refused envelopes on the reply queue they name: anyone could name one.
    assertThat(results).singleElement().satisfies(result -> {
      assertThat(result.id()).isEqualTo(1L);
      assertThat(result.status()).isEqualTo(Status.OK);
      assertThat(result.value().asLong()).isEqualTo(25);
      assertThat(signer.verify(result)).as("the result is signed").isTrue();
    });
    assertThat(h.deadLetterReasons()).singleElement().asString()
        .startsWith("2 of 3 envelopes rejected")
        .contains("[1] task 2 is not signed")
        .contains("[2] task 3 has a signature that does not match");
    assertThat(TestApps.counter(forgedKey).get()).as("forged task runs").isZero();
    assertThat(h.codec.decodeTasks(dead.body(), 1 << 20).envelopes())
        .extracting(TaskEnvelope::id).containsExactly(2L, 3L);
  }

  @Test
  void aWorkerWithAKeyDoesNotAnswerAnInvalidEnvelopeOnTheReplyQueueItNames() {
    Harness h = harness(SHORT_LEASE);
    EnvelopeSigner signer = EnvelopeSigner.fromSecret("a test key of enough length", h.codec);
    // Without a key the worker answers this one with a worker error (see the mixed bundle above).
    byte[] invalid = ("{\"v\":1,\"id\":2,\"run\":\"" + Harness.RUN + "\",\"app\":\"bad name!\",\"args\":[],"
        + "\"attempt\":3,\"reply\":\"" + h.replies + "\"}").getBytes(StandardCharsets.UTF_8);
    h.sendRaw(dev.shoal.internal.wire.BundleWriter.tasks(Integer.MAX_VALUE, Integer.MAX_VALUE).frame(List.of(
        invalid, h.codec.envelopeBytes(signer.sign(h.task(1, "test.square", 4))))));
    h.start(h.config().signer(signer));

    List<ResultEnvelope> results = new ArrayList<>(h.awaitResults(1));
    h.awaitDeadLetters(1);
    results.addAll(h.receiveResults(Duration.ZERO));

    assertThat(results).singleElement().satisfies(result -> {
      assertThat(result.id()).isEqualTo(1L);
      assertThat(result.value().asLong()).isEqualTo(16);
    });
    assertThat(h.deadLetterReasons()).singleElement().asString().startsWith("1 of 2 envelopes rejected")
        .contains("[0]").contains("app name");
  }

  @Test
  void anUnsignedTaskDeliveredMoreThanMaxDeliveriesIsDeadLetteredUnansweredByAWorkerWithAKey() {
    Harness h = harness(SHORT_LEASE);
    EnvelopeSigner signer = EnvelopeSigner.fromSecret("a test key of enough length", h.codec);
    String key = key();
    h.send(h.task(1, "test.count", key, 0));
    for (int delivery = 0; delivery < 2; delivery++) {
      assertThat(h.memory.receive(h.tasks, 10, Duration.ofSeconds(5)).join()).hasSize(1);
    }
    h.start(h.config(h.options().withMaxDeliveries(2)).signer(signer));

    h.awaitDeadLetters(1);

    // Not the poison notice a signed task would get: that would answer an envelope nobody vouched for.
    assertThat(h.receiveResults(Duration.ZERO)).isEmpty();
    assertThat(h.deadLetterReasons()).containsExactly("task 1 is not signed, and only signed tasks are accepted");
    assertThat(TestApps.counter(key).get()).isZero();
  }

  @Test
  void aWorkerWithAKeySignsEveryResultItPosts() {
    harness = new Harness(SHORT_LEASE, 4096);
    Harness h = harness;
    EnvelopeSigner signer = EnvelopeSigner.fromSecret("a test key of enough length", h.codec);
    h.send(signer.sign(h.task(1, "test.square", 3)), signer.sign(h.task(2, "test.fail", "boom")),
        signer.sign(h.task(3, "no.such.app")), signer.sign(h.task(4, "test.repeat", "y", 5000)));
    h.start(h.config().signer(signer));

    Map<Long, ResultEnvelope> results = byId(h.awaitResults(4));

    assertThat(results.get(1L).status()).isEqualTo(Status.OK);
    assertThat(results.get(2L).status()).isEqualTo(Status.APP_ERROR);
    assertThat(results.get(3L).status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(results.get(4L).error().message()).contains("over the reply queue's message limit");
    assertThat(results.values()).allSatisfy(result -> assertThat(signer.verify(result)).as("%s", result).isTrue());
  }

  @Test
  void aTaskRunningLongerThanThreeLeasesIsNotDeliveredAgain() {
    Harness h = harness(SHORT_LEASE);
    String key = key();
    h.send(h.task(1, "test.count", key, SHORT_LEASE.multipliedBy(4).toMillis()));
    h.start();

    ResultEnvelope result = h.awaitResult();
    await("the message to be acked", () -> h.depth().total() == 0);

    assertThat(result.status()).isEqualTo(Status.OK);
    assertThat(TestApps.counter(key).get()).as("executions").isEqualTo(1);
    assertThat(result.value().asLong()).isEqualTo(1);
  }

  @Test
  void aSingleTaskDeliveredMoreThanMaxDeliveriesIsDeadLetteredUnrun() {
    Harness h = harness(SHORT_LEASE);
    String key = key();
    h.send(h.task(1, "test.count", key, 0));
    // Two earlier deliveries that never finished: a worker took the task and died.
    for (int delivery = 0; delivery < 2; delivery++) {
      List<ReceivedMessage> received = h.memory.receive(h.tasks, 10, Duration.ofSeconds(5)).join();
      assertThat(received).hasSize(1);
    }
    h.start(h.options().withMaxDeliveries(2));

    ResultEnvelope result = h.awaitResult();
    h.awaitDeadLetters(1);

    String expected = "task 1 (test.count) was delivered 3 times and never finished: it crashed or hung its "
        + "worker each time; moved to the dead-letter queue";
    assertThat(result.status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(result.error().message()).isEqualTo(expected);
    assertThat(h.deadLetterReasons()).containsExactly(expected);
    assertThat(TestApps.counter(key).get()).isZero();
    assertThat(h.depth().total()).isZero();
  }

  @Test
  void aRedeliveredTaskStartsAtOnceInsteadOfWaitingBehindBusySlots() throws Exception {
    // A long lease: every redelivery the worker sees is one the transport below reports.
    Harness h = harness(Duration.ofMinutes(2));
    String busy = key();
    String firstTime = key();
    String again = key();
    // Task 2 comes as the queue would bring it after a worker died holding it: on its second delivery.
    Transport secondDelivery = new ForwardingTransport(h.transport) {
      @Override
      public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
        return delegate.receive(address, max, wait).thenApply(messages -> messages.stream()
            .map(m -> h.codec.decodeTasks(m.body(), 1 << 20).envelopes().stream().anyMatch(t -> t.id() == 2)
                ? new ReceivedMessage(m.id(), m.receipt(), m.body(), m.receiveCount() + 1) : m)
            .toList());
      }
    };
    // One slot, and a long hold horizon: once it knows its tasks are short, the worker takes more
    // than it can start and keeps them waiting.
    h.start(h.config(h.options().withSlots(1)).transport(secondDelivery).holdHorizon(Duration.ofMinutes(5)));
    h.send(h.task(9, "test.square", 9));
    h.awaitResult();
    h.send(h.task(1, "test.block", busy));
    TestApps.gate(busy).started().await();
    h.send(h.task(3, "test.block", firstTime));
    h.send(h.task(2, "test.block", again));

    // Waiting behind the busy slot, a redelivered task could be lost with this worker too, and each
    // such loss counts toward poison although it never ran: it starts at once instead.
    assertThat(TestApps.gate(again).started().await(Harness.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
        .as("the redelivered task started while the only slot was busy").isTrue();
    await("both waiting messages to be held", () -> h.depth().inFlight() == 3);
    assertThat(TestApps.gate(firstTime).started().getCount()).as("the first-time task waits for the slot").isOne();

    List.of(busy, firstTime, again).forEach(gate -> TestApps.gate(gate).open().countDown());
    assertThat(h.awaitResults(3)).extracting(ResultEnvelope::id).containsExactlyInAnyOrder(1L, 2L, 3L);
  }

  @Test
  void aWorkerForFirstDeliveriesOnlyHoldsARedeliveredTaskUnrunAndReleasesItWhenItStops() {
    Harness h = harness(SHORT_LEASE);
    String again = key();
    String fresh = key();
    h.send(h.task(1, "test.count", again, 0));
    // A delivery that never finished: a worker took the task and died, or handed it back.
    List<ReceivedMessage> first = h.memory.receive(h.tasks, 10, Duration.ofSeconds(5)).join();
    assertThat(first).hasSize(1);
    h.memory.extendLease(h.tasks, first, Duration.ZERO).join();
    Worker firstOnly = h.start(h.config().firstDeliveriesOnly(true));
    h.send(h.task(2, "test.count", fresh, 0));

    assertThat(h.awaitResult().id()).isEqualTo(2);
    // Nobody but this worker can hold it: it was released above.
    await("the redelivered message to be held, and the other acked", () -> {
      QueueDepth depth = h.depth();
      return depth.visible() == 0 && depth.inFlight() == 1;
    });
    assertThat(TestApps.counter(again).get()).as("runs of the redelivered task").isZero();

    firstOnly.close();
    await("the held message to be released", () -> h.depth().visible() == 1);
    assertThat(TestApps.counter(again).get()).as("runs of the redelivered task").isZero();
    assertThat(h.deadLetterReasons()).isEmpty();

    h.start(h.config().options(h.options().withWorkerId("w2")));
    ResultEnvelope result = h.awaitResult();
    assertThat(result.id()).isEqualTo(1);
    assertThat(result.status()).as("%s", result.error()).isEqualTo(Status.OK);
    assertThat(TestApps.counter(again).get()).isEqualTo(1);
  }

  @Test
  void aBundleDeliveredAgainIsSplitIntoSingleTasks() {
    Harness h = harness(SHORT_LEASE);
    h.send(h.task(1, "test.square", 2), h.task(2, "test.square", 3), h.task(3, "test.square", 4));
    List<ReceivedMessage> first = h.memory.receive(h.tasks, 10, Duration.ofSeconds(5)).join();
    h.memory.extendLease(h.tasks, first, Duration.ZERO).join();
    h.start();

    Map<Long, ResultEnvelope> results = byId(h.awaitResults(3));
    await("the queue to drain", () -> h.depth().total() == 0);

    assertThat(results.values()).extracting(r -> r.value().asLong()).containsExactlyInAnyOrder(4L, 9L, 16L);
    List<byte[]> resent = h.transport.sent.stream().filter(s -> s.address().equals(h.tasks))
        .flatMap(s -> s.bodies().stream()).toList();
    assertThat(resent).hasSize(3).allSatisfy(body ->
        assertThat(h.codec.decodeTasks(body, 1 << 20).envelopes()).hasSize(1));
  }

  @Test
  void aTaskWhoseDeadlineHasPassedIsNotRun() {
    Harness h = harness(SHORT_LEASE);
    String key = key();
    TaskEnvelope task = h.task(1, "test.count", key, 0);
    h.send(new TaskEnvelope(task.v(), task.id(), task.run(), task.app(), task.args(), task.attempt(), task.reply(),
        Harness.past(), null));
    h.start();

    ResultEnvelope result = h.awaitResult();
    await("the message to be acked", () -> h.depth().total() == 0);

    assertThat(result.status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(result.error().message()).contains("deadline");
    assertThat(TestApps.counter(key).get()).isZero();
    assertThat(h.deadLetterReasons()).isEmpty();
  }

  @Test
  void undecodableArgumentsAreAWorkerErrorNamingTheParameter() {
    Harness h = harness(SHORT_LEASE);
    h.send(h.task(1, "test.square", "not a number"), h.task(2, "test.square", 1, 2));
    h.start();

    Map<Long, ResultEnvelope> results = byId(h.awaitResults(2));

    assertThat(results.get(1L).status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(results.get(1L).error().message()).contains("argument 1 of app 'test.square'")
        .contains("java.lang.Long");
    assertThat(results.get(2L).status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(results.get(2L).error().message()).contains("takes 1 argument(s)");
  }

  @Test
  void theCommandBuiltinRunsAShellCommandInItsTaskDirectory(@TempDir Path workDir) {
    Harness h = harness(SHORT_LEASE);
    h.send(h.task(1, Builtins.COMMAND, Command.shell("echo shoal-$((40 + 2))")),
        h.task(2, Builtins.COMMAND, Command.shell("echo nope >&2; exit 3")));
    h.start(h.options().withWorkDir(workDir));

    Map<Long, ResultEnvelope> results = byId(h.awaitResults(2));

    assertThat(results.get(1L).status()).isEqualTo(Status.OK);
    CommandResult ran = h.codec.json().decode(results.get(1L).value(), CommandResult.class);
    assertThat(ran.stdout()).isEqualTo("shoal-42\n");
    assertThat(Path.of(ran.workDir())).isEqualTo(workDir.resolve(Harness.RUN).resolve(Builtins.COMMAND + "-1-1"));
    assertThat(results.get(2L).status()).isEqualTo(Status.APP_ERROR);
    assertThat(results.get(2L).error().message()).contains("nope");
    // The failure's fields cross too, so that the client rebuilds a CommandFailedException.
    assertThat(results.get(2L).error().type()).isEqualTo(CommandFailedException.class.getName());
    assertThat(results.get(2L).error().fields().get("exitCode").asInt()).isEqualTo(3);
    assertThat(results.get(2L).error().fields().get("stderrTail").asText()).isEqualTo("nope\n");
    assertThat(results.get(2L).error().fields().get("command").get(0).asText()).isEqualTo("/bin/sh");
  }

  @Test
  void shutdownReleasesUnstartedTasksAndLetsTheRunningOneFinish() throws Exception {
    // A long lease: only an explicit release makes the unstarted tasks visible within the test.
    Harness h = harness(Duration.ofMinutes(2));
    String gate = key();
    // A worker holds waiting tasks only once it knows they are short, and keeps them (a long hold
    // horizon) while the blocked one runs.
    Worker worker = h.start(h.config(h.options().withSlots(1)).holdHorizon(Duration.ofMinutes(5)));
    h.send(h.task(9, "test.square", 9));
    h.awaitResult();
    await("the short task's message to be acked", () -> h.depth().total() == 0);
    h.send(h.task(1, "test.block", gate));
    h.send(h.task(2, "test.square", 2));
    h.send(h.task(3, "test.square", 3));
    TestApps.gate(gate).started().await();
    await("all three messages to be held", () -> h.depth().inFlight() == 3);

    worker.shutdown();
    await("the unstarted tasks to be released", () -> h.depth().visible() == 2);
    assertThat(worker.isTerminated()).as("terminated while a task runs").isFalse();
    TestApps.gate(gate).open().countDown();

    assertThat(worker.awaitTermination(Harness.PATIENCE)).isTrue();
    assertThat(h.receiveResults(Duration.ofMillis(100))).singleElement()
        .satisfies(result -> assertThat(result.value().asText()).isEqualTo(gate));
    assertThat(h.depth().visible()).isEqualTo(2);
    assertThat(h.depth().inFlight()).isZero();
  }

  @Test
  void aWorkerThatKnowsNothingOfItsTasksTakesOnePerSlot() throws Exception {
    // A long lease: nothing comes back by itself within the test.
    Harness h = harness(Duration.ofMinutes(2));
    List<String> gates = new ArrayList<>();
    for (long i = 1; i <= 10; i++) {
      String gate = key();
      gates.add(gate);
      h.send(h.task(i, "test.block", gate));
    }
    h.start();
    await("two tasks to start", () -> gates.stream()
        .filter(gate -> TestApps.gate(gate).started().getCount() == 0).count() == 2);

    // Two slots, two tasks taken: the other eight stay in the queue for other workers.
    assertThat(h.depth().inFlight()).isEqualTo(2);
    assertThat(h.depth().visible()).isEqualTo(8);
    gates.forEach(gate -> TestApps.gate(gate).open().countDown());
    assertThat(h.awaitResults(10)).hasSize(10);
  }

  @Test
  void waitingTasksThatWillNotStartWithinTheHorizonGoBackToTheQueueOneByOne() {
    Harness h = harness(SHORT_LEASE);
    String first = key();
    String second = key();
    // Two slots, both blocked: the four squares behind them would wait for as long as the blocks run.
    h.send(h.task(1, "test.block", first), h.task(2, "test.block", second), h.task(3, "test.square", 3),
        h.task(4, "test.square", 4), h.task(5, "test.square", 5), h.task(6, "test.square", 6));
    h.start(h.config().holdHorizon(Duration.ofMillis(200)));

    await("four tasks handed back", () -> h.transport.sent.stream().filter(s -> s.address().equals(h.tasks))
        .mapToLong(s -> s.bodies().size()).sum() == 4);
    Worker idle = h.start(h.options().withWorkerId("w2"));
    Map<Long, ResultEnvelope> squares = byId(h.awaitResults(4));

    // Each went back as a message of its own, and the idle worker ran them while the blocks still ran.
    List<byte[]> handedBack = h.transport.sent.stream().filter(s -> s.address().equals(h.tasks))
        .flatMap(s -> s.bodies().stream()).toList();
    assertThat(handedBack).allSatisfy(body ->
        assertThat(h.codec.decodeTasks(body, 1 << 20).envelopes()).hasSize(1));
    assertThat(squares.keySet()).containsExactlyInAnyOrder(3L, 4L, 5L, 6L);
    assertThat(squares.values()).allSatisfy(result -> assertThat(result.worker()).isEqualTo("w2"));
    assertThat(squares.get(6L).value().asLong()).isEqualTo(36);
    assertThat(h.depth().inFlight()).as("the bundle, held by its running tasks").isEqualTo(1);

    TestApps.gate(first).open().countDown();
    TestApps.gate(second).open().countDown();
    assertThat(byId(h.awaitResults(2))).containsOnlyKeys(1L, 2L);
    await("the bundle to be acked", () -> h.depth().total() == 0);
    assertThat(h.receiveResults(Duration.ofMillis(300))).as("duplicates").isEmpty();
    assertThat(idle.isTerminated()).isFalse();
  }

  @Test
  void anIdleWorkerStopsByItself() throws Exception {
    Harness h = harness(SHORT_LEASE);
    Worker worker = h.start(h.options().withIdleTimeout(Duration.ofMillis(300))
        .withReceiveWait(Duration.ofSeconds(20)));

    assertThat(worker.awaitTermination(Harness.PATIENCE)).isTrue();
  }

  @Test
  void resultsAreRetriedUntilTheReplyQueueIsBack() {
    Harness h = harness(SHORT_LEASE);
    String key = key();
    String lateReplies = "mem://late-replies";
    TaskEnvelope task = h.task(1, "test.count", key, 0);
    h.send(new TaskEnvelope(task.v(), task.id(), task.run(), task.app(), task.args(), task.attempt(), lateReplies,
        null, null));
    h.start();
    await("the task to run", () -> TestApps.counter(key).get() == 1);
    h.memory.createQueue("late-replies", QueueOptions.defaults()).join();

    List<ReceivedMessage> posted = new ArrayList<>();
    await("the result", () -> posted.addAll(h.memory.receive(lateReplies, 10, Duration.ofMillis(100)).join()));
    await("the message to be acked", () -> h.depth().total() == 0);

    List<ResultEnvelope> results = h.codec.decodeResults(posted.get(0).body(), 1 << 20).envelopes();
    assertThat(results).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(Status.OK));
    assertThat(TestApps.counter(key).get()).isEqualTo(1);
  }

  @Test
  void aMessageWhoseResultsCannotBePostedIsNeverAcked() {
    Harness h = harness(SHORT_LEASE);
    String key = key();
    TaskEnvelope task = h.task(1, "test.count", key, 0);
    h.send(new TaskEnvelope(task.v(), task.id(), task.run(), task.app(), task.args(), task.attempt(),
        "mem://no-such-queue", null, null));
    h.start(h.config(h.options().withMaxDeliveries(2)).postRetryLimit(Duration.ofMillis(300)));

    // Given up twice, released twice, delivered a third time: then it is poison.
    h.awaitDeadLetters(1);

    assertThat(TestApps.counter(key).get()).as("executions").isEqualTo(2);
    assertThat(h.deadLetterReasons()).singleElement().asString().contains("delivered 3 times");
  }

  @Test
  void aResultTooLargeForTheReplyQueueIsReplacedByAWorkerError() {
    harness = new Harness(SHORT_LEASE, 4096);
    Harness h = harness;
    h.send(h.task(1, "test.repeat", "y", 5000), h.task(2, "test.square", 3));
    h.start();

    Map<Long, ResultEnvelope> results = byId(h.awaitResults(2));

    assertThat(results.get(1L).status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(results.get(1L).error().message()).contains("over the reply queue's message limit of 4096");
    assertThat(results.get(2L).value().asLong()).isEqualTo(9);
    for (RecordingTransport.Sent sent : h.transport.sent) {
      sent.bodies().forEach(body -> assertThat(body.length).isLessThanOrEqualTo(4096));
    }
  }

  @Test
  void resultsForOneReplyQueueTravelInBundles() {
    Harness h = harness(SHORT_LEASE);
    List<TaskEnvelope> bundle = new ArrayList<>();
    for (long i = 1; i <= 500; i++) {
      bundle.add(h.task(i, "test.square", i));
    }
    h.send(bundle.toArray(TaskEnvelope[]::new));
    h.transport.sendLatency = Duration.ofMillis(20);
    h.start(h.options().withSlots(4));

    assertThat(byId(h.awaitResults(500))).hasSize(500);
    // Results that finish while a send is in flight go out together in the next one.
    List<RecordingTransport.Sent> sends = h.transport.sent.stream().filter(s -> s.address().equals(h.replies)).toList();
    assertThat(sends.size()).isLessThan(50);
  }
}
