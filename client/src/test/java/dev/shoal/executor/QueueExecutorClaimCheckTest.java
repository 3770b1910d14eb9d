package dev.shoal.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.PayloadRef;
import dev.shoal.internal.wire.RemoteError;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.PayloadStoreException;
import dev.shoal.spi.QueueOptions;
import dev.shoal.testing.Await;
import dev.shoal.testing.InMemoryPayloadStore;
import dev.shoal.testing.InMemoryTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Payloads too large for a queue message, carried by claim check through an in-memory payload
 * store: the client's side, against a scripted far side that fetches and answers as a worker does.
 */
class QueueExecutorClaimCheckTest {
  static final App1<String, Integer> LENGTH = Apps.define("claim.length").java(String.class, Integer.class,
      String::length);
  static final App1<Integer, String> REPEAT = Apps.define("claim.repeat").java(Integer.class, String.class,
      n -> "x".repeat(n));
  /** Small, so that a few kilobytes are over it; the envelopes themselves take a few hundred bytes. */
  static final int LIMIT = 4096;
  static final String LARGE = "abc".repeat(10_000);

  @TempDir Path runDir;
  private final InMemoryTransport memory = new InMemoryTransport(LIMIT);
  private final InMemoryPayloadStore store = new InMemoryPayloadStore();
  private final WireCodec codec = new WireCodec(JsonCodec.create());
  private final String tasks = memory.createQueue("tasks",
      QueueOptions.defaults().withVisibilityTimeout(Duration.ofSeconds(5))).join();
  private final List<TaskEnvelope> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    memory.close();
  }

  private DataFlowKernel kernel(boolean withStore) {
    QueueExecutor.Builder executor = QueueExecutor.builder().transport(memory).taskQueue(tasks);
    if (withStore) {
      executor.payloadStore(store);
    }
    return DataFlowKernel.builder().runDir(runDir).executor(executor.build()).build();
  }

  /** Answers with the app run on the arguments, fetched from the store when they came by reference. */
  private ScriptedWorker worker() {
    return ScriptedWorker.answering(memory, tasks, codec, task -> {
      seen.add(task);
      JsonNode args = task.args();
      if (task.argsRef() != null) {
        byte[] bytes = store.get(task.argsRef().location(), task.argsRef().size()).join();
        assertThat(task.argsRef().mismatch(bytes)).isNull();
        args = codec.json().readTree(bytes);
      }
      JsonNode value = switch (task.app()) {
        case "claim.length" -> codec.json().toTree(args.get(0).asText().length());
        case "claim.repeat" -> codec.json().toTree("x".repeat(args.get(0).asInt()));
        default -> throw new AssertionError(task.app());
      };
      ResultEnvelope result = ok(task, value);
      if (codec.envelopeBytes(result).length > LIMIT - 100 && task.takesResultByRef()) {
        byte[] bytes = codec.json().encode(value);
        result = result.withValueRef(PayloadRef.of(store.put(task.run(), bytes).join(), bytes));
      }
      return result;
    });
  }

  private static ResultEnvelope ok(TaskEnvelope task, JsonNode value) {
    Instant now = Instant.now();
    return new ResultEnvelope(WireCodec.VERSION, task.id(), task.run(), task.attempt(), ResultEnvelope.Status.OK,
        value, null, "scripted", now, now, now);
  }

  @Test
  void largeArgumentsGoThroughTheStoreAndTheirObjectIsDeletedOnceTheResultArrives() throws Exception {
    try (DataFlowKernel dfk = kernel(true); ScriptedWorker worker = worker()) {
      assertThat(dfk.call(LENGTH, LARGE).get(30, TimeUnit.SECONDS)).isEqualTo(LARGE.length());
      // A small task still travels in its envelope.
      assertThat(dfk.call(LENGTH, "abc").get(30, TimeUnit.SECONDS)).isEqualTo(3);

      TaskEnvelope large = seen.get(0);
      assertThat(large.args()).isNull();
      assertThat(large.argsRef().uri()).startsWith("mem://store/" + large.run() + "/");
      assertThat(large.argsRef().size()).isGreaterThan(LARGE.length());
      assertThat(large.takesResultByRef()).isTrue();
      assertThat(seen.get(1).argsRef()).isNull();
      Await.until(Duration.ofSeconds(10), () -> store.locations().isEmpty(),
          () -> "the argument object to be deleted: " + store.locations());
    }
  }

  @Test
  void aLargeResultComesByReferenceAndItsObjectIsDeletedOnceConsumed() throws Exception {
    try (DataFlowKernel dfk = kernel(true); ScriptedWorker worker = worker()) {
      assertThat(dfk.call(REPEAT, 50_000).get(30, TimeUnit.SECONDS)).hasSize(50_000);
      Await.until(Duration.ofSeconds(10), () -> store.locations().isEmpty(),
          () -> "the result object to be deleted: " + store.locations());
    }
  }

  @Test
  void aResultWhoseObjectWasAlteredFailsItsTaskNamingTheObject() {
    store.corruptGets(true);
    try (DataFlowKernel dfk = kernel(true); ScriptedWorker worker = worker()) {
      AppFuture<String> future = dfk.call(REPEAT, 50_000);
      assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(PayloadUnavailableException.class)
          .hasMessageContaining("mem://store/")
          .hasMessageContaining("SHA-256");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aResultWhoseObjectIsGoneFailsItsTaskNamingTheObject() throws Exception {
    try (DataFlowKernel dfk = kernel(true);
        ScriptedWorker worker = ScriptedWorker.answering(memory, tasks, codec, task -> ok(task, null)
            .withValueRef(new PayloadRef("mem://store/" + task.run() + "/never-put", 10, "0".repeat(64))))) {
      AppFuture<String> future = dfk.call(REPEAT, 1);
      assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(PayloadUnavailableException.class)
          .hasMessageContaining("mem://store/")
          .hasMessageContaining("never-put")
          .hasMessageContaining("could not be fetched");
      PayloadUnavailableException error = (PayloadUnavailableException) catchCause(future);
      assertThat(error.location().getPath()).endsWith("/never-put");
    }
  }

  @Test
  void aStoreThatIsDownWhenArgumentsArePutFailsTheTaskAndSendsNothing() throws Exception {
    store.failPuts(true);
    try (DataFlowKernel dfk = kernel(true)) {
      AppFuture<Integer> future = dfk.call(LENGTH, LARGE);
      assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(PayloadStoreException.class)
          .hasMessageContaining("the arguments of task")
          .hasMessageContaining("could not be put")
          .hasMessageContaining("is down");
      assertThat(memory.receive(tasks, 10, Duration.ZERO).join()).isEmpty();
    }
  }

  @Test
  void withoutAStoreLargeArgumentsFailAsBeforeSayingAStoreWouldCarryThem() throws Exception {
    try (DataFlowKernel dfk = kernel(false)) {
      AppFuture<Integer> future = dfk.call(LENGTH, LARGE);
      assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(PayloadTooLargeException.class)
          .hasMessageContaining("over the queue's message limit")
          .hasMessageContaining("payload store");
      assertThat(store.locations()).isEmpty();
    }
  }

  @Test
  void withoutAStoreATaskDoesNotAskForItsResultByReference() throws Exception {
    try (DataFlowKernel dfk = kernel(false); ScriptedWorker worker = worker()) {
      assertThat(dfk.call(LENGTH, "abc").get(30, TimeUnit.SECONDS)).isEqualTo(3);
      assertThat(seen.get(0).takesResultByRef()).isFalse();
      assertThat(seen.get(0).resultByRef()).isNull();
    }
  }

  @Test
  void aWorkerThatCouldNotFetchTheArgumentsFailsTheTaskWithTheObjectNamed() throws Exception {
    try (DataFlowKernel dfk = kernel(true);
        ScriptedWorker worker = ScriptedWorker.answering(memory, tasks, codec, task -> {
          Instant now = Instant.now();
          String uri = task.argsRef().uri();
          return new ResultEnvelope(WireCodec.VERSION, task.id(), task.run(), task.attempt(),
              ResultEnvelope.Status.WORKER_ERROR, null, new RemoteError(QueueExecutor.PAYLOAD_UNAVAILABLE,
                  "the arguments at " + uri + " could not be fetched: gone", List.of(), null,
                  Map.of("uri", codec.json().toTree(uri))), "scripted", now, null, null);
        })) {
      AppFuture<Integer> future = dfk.call(LENGTH, LARGE);
      assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(PayloadUnavailableException.class)
          .hasMessageContaining("could not be fetched: gone");
      PayloadUnavailableException error = (PayloadUnavailableException) catchCause(future);
      assertThat(error.location()).isNotNull();
      assertThat(error.location().getScheme()).isEqualTo("mem");
      // Failed or not, the task is over: its arguments go.
      Await.until(Duration.ofSeconds(10), () -> store.locations().isEmpty(),
          () -> "the argument object to be deleted: " + store.locations());
    }
  }

  private static Throwable catchCause(AppFuture<?> future) {
    try {
      future.get(30, TimeUnit.SECONDS);
      throw new AssertionError("the task succeeded");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
