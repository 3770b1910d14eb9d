package dev.shoal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.internal.wire.PayloadRef;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.ResultEnvelope.Status;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.testing.InMemoryPayloadStore;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Arguments and results carried by claim check, on the in-memory transport and payload store. */
@Timeout(120)
class WorkerClaimCheckTest {
  private static final Duration LEASE = Duration.ofSeconds(5);
  private static final int LIMIT = 4096;

  private final Harness h = new Harness(LEASE, LIMIT);
  private final InMemoryPayloadStore store = new InMemoryPayloadStore();

  @AfterEach
  void stop() {
    h.close();
  }

  /** The task with its arguments put in the store and referred to. */
  private TaskEnvelope byReference(TaskEnvelope task) {
    byte[] bytes = h.codec.json().encode(task.args());
    return task.withArgsRef(PayloadRef.of(store.put(task.run(), bytes).join(), bytes));
  }

  private static Map<Long, ResultEnvelope> byId(List<ResultEnvelope> results) {
    return results.stream().collect(Collectors.toMap(ResultEnvelope::id, Function.identity()));
  }

  @Test
  void argumentsByReferenceAreFetchedVerifiedAndRun() {
    String large = "ab".repeat(5000);
    h.send(byReference(h.task(1, "test.repeat", large, 1)).withResultByRef(true), h.task(2, "test.square", 3));
    h.start(h.config().payloadStore(store));

    Map<Long, ResultEnvelope> results = byId(h.awaitResults(2));

    // Its result is as large as its arguments, so it came back by reference too.
    ResultEnvelope first = results.get(1L);
    assertThat(first.status()).isEqualTo(Status.OK);
    assertThat(first.value()).isNull();
    byte[] stored = store.object(first.valueRef().location());
    assertThat(first.valueRef().mismatch(stored)).isNull();
    assertThat(h.codec.json().readTree(stored).asText()).isEqualTo(large);
    assertThat(first.valueRef().uri()).startsWith("mem://store/" + Harness.RUN + "/");
    assertThat(results.get(2L).value().asLong()).isEqualTo(9);
    for (RecordingTransport.Sent sent : h.transport.sent) {
      sent.bodies().forEach(body -> assertThat(body.length).isLessThanOrEqualTo(LIMIT));
    }
  }

  @Test
  void aLargeResultGoesToTheStoreNamedByPayloadStoreOnlyForAClientThatTakesIt() {
    h.send(h.task(1, "test.repeat", "y", 5000).withResultByRef(true), h.task(2, "test.repeat", "z", 5000));
    h.start(h.config().payloadStore(store));

    Map<Long, ResultEnvelope> results = byId(h.awaitResults(2));

    assertThat(results.get(1L).status()).isEqualTo(Status.OK);
    JsonNode value = h.codec.json().readTree(store.object(results.get(1L).valueRef().location()));
    assertThat(value.asText()).isEqualTo("y".repeat(5000));
    // The second task's client has no payload store: today's error, saying why.
    assertThat(results.get(2L).status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(results.get(2L).error().message()).contains("over the reply queue's message limit of 4096")
        .contains("takes no result by reference");
    assertThat(store.locations()).hasSize(1);
  }

  @Test
  void withoutAPayloadStoreALargeResultIsStillAWorkerErrorSayingWhatWouldCarryIt() {
    h.send(h.task(1, "test.repeat", "y", 5000).withResultByRef(true));
    h.start();

    ResultEnvelope result = h.awaitResult();

    assertThat(result.status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(result.error().type()).isEqualTo(TaskRunner.RESULT_TOO_LARGE);
    assertThat(result.error().message()).contains("over the reply queue's message limit of 4096")
        .contains("--payload-store");
  }

  @Test
  void aResultThatCannotBeStoredIsAWorkerErrorSayingWhy() {
    store.failPuts(true);
    h.send(h.task(1, "test.repeat", "y", 5000).withResultByRef(true));
    h.start(h.config().payloadStore(store));

    ResultEnvelope result = h.awaitResult();

    assertThat(result.status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(result.error().message()).contains("could not be put in the mem: payload store").contains("is down");
  }

  @Test
  void alteredArgumentsFailTheTaskNamingTheObjectAndAreNotRetriedOrDeadLettered() {
    TaskEnvelope task = byReference(h.task(1, "test.repeat", "ab", 2));
    store.corruptGets(true);
    h.send(task);
    h.start(h.config().payloadStore(store));

    ResultEnvelope result = h.awaitResult();

    assertThat(result.status()).isEqualTo(Status.WORKER_ERROR);
    assertThat(result.error().type()).isEqualTo(TaskRunner.PAYLOAD_UNAVAILABLE);
    assertThat(result.error().message()).contains(task.argsRef().uri()).contains("SHA-256");
    assertThat(result.error().fields().get("uri").asText()).isEqualTo(task.argsRef().uri());
    Harness.await("the task's message to be acknowledged",
        () -> h.depth().visible() == 0 && h.depth().inFlight() == 0);
    assertThat(h.deadLetterReasons()).isEmpty();
  }

  @Test
  void missingArgumentsFailTheTaskNamingTheObject() {
    TaskEnvelope task = byReference(h.task(1, "test.repeat", "ab", 2));
    store.lose(task.argsRef().location());
    h.send(task);
    h.start(h.config().payloadStore(store));

    ResultEnvelope result = h.awaitResult();

    assertThat(result.error().type()).isEqualTo(TaskRunner.PAYLOAD_UNAVAILABLE);
    assertThat(result.error().message()).contains("the arguments of task 1 (test.repeat) at " + task.argsRef().uri()
        + " could not be fetched").contains("no object at");
  }

  @Test
  void aWorkerWithoutAPayloadStoreNeverOpensOneThatAMessageNames() {
    // Whatever store a reference names, only the worker's own reads it: here there is none.
    byte[] bytes = "[\"ab\",2]".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    h.send(h.task(1, "test.repeat", "ab", 2).withArgsRef(PayloadRef.of(URI.create("file:///etc/passwd"), bytes)));
    h.start();

    ResultEnvelope result = h.awaitResult();

    assertThat(result.error().type()).isEqualTo(TaskRunner.PAYLOAD_UNAVAILABLE);
    assertThat(result.error().message()).contains("file:///etc/passwd")
        .contains("this worker has no payload store (--payload-store)");
  }

  @Test
  void aReferenceOutsideTheWorkersOwnStoreIsRefused() {
    InMemoryPayloadStore store = new InMemoryPayloadStore();
    byte[] bytes = "[\"ab\",2]".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    h.send(h.task(1, "test.repeat", "ab", 2).withArgsRef(PayloadRef.of(URI.create("nosuch://bucket/run-1/1"), bytes)));
    h.start(h.config().payloadStore(store));

    ResultEnvelope result = h.awaitResult();

    assertThat(result.error().type()).isEqualTo(TaskRunner.PAYLOAD_UNAVAILABLE);
    assertThat(result.error().message()).contains("nosuch://bucket/run-1/1").contains("could not be fetched");
  }

  @Test
  void aWorkerWhosePayloadStoreHasNoProviderDoesNotStart() {
    assertThatThrownBy(() -> h.start(h.options().withPayloadStore(URI.create("nosuch://bucket/prefix"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no payload store for 'nosuch:'");
  }
}
