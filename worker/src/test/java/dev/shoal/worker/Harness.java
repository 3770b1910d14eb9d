package dev.shoal.worker;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.testing.Await;
import dev.shoal.testing.InMemoryTransport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** A task queue and a reply queue in memory, workers on them, and ways to feed and watch them. */
final class Harness implements AutoCloseable {
  static final Duration PATIENCE = Duration.ofSeconds(30);
  static final String RUN = "run-1";

  final InMemoryTransport memory;
  final RecordingTransport transport;
  final WireCodec codec = new WireCodec(JsonCodec.create());
  final Duration lease;
  final String tasks;
  final String replies;
  final String deadLetters;
  private final List<Worker> workers = new ArrayList<>();

  Harness(Duration lease) {
    this(lease, 256 * 1024);
  }

  /** Workers see {@code workerMaxBytes} as the message limit; the queues take up to 1 MiB. */
  Harness(Duration lease, int workerMaxBytes) {
    this.lease = lease;
    this.memory = new InMemoryTransport(1024 * 1024);
    this.transport = new RecordingTransport(memory, workerMaxBytes);
    // The queue's own redrive limit sits above the worker's maxDeliveries, so the worker's poison
    // handling is what the tests see.
    this.tasks = memory.createQueue("tasks", QueueOptions.defaults().withVisibilityTimeout(lease)
        .withMaxReceiveCount(10)).join();
    this.replies = memory.createQueue("replies", QueueOptions.defaults()).join();
    this.deadLetters = memory.queueAddress(QueueOptions.deadLetterName("tasks")).join();
  }

  /** A worker on this harness's task queue: 2 slots, short polls, no idle timeout. */
  WorkerOptions options() {
    // The name only labels the options: the worker runs on the harness's transport.
    return WorkerOptions.of("test-memory", Map.of(), tasks)
        .withSlots(2)
        .withLease(lease)
        .withReceiveWait(Duration.ofMillis(200))
        .withIdleTimeout(Duration.ZERO)
        .withWorkerId("w1");
  }

  WorkerConfig.Builder config() {
    return config(options());
  }

  WorkerConfig.Builder config(WorkerOptions options) {
    return WorkerConfig.builder(options)
        .transport(transport)
        .shutdownGrace(Duration.ofSeconds(10));
  }

  Worker start(WorkerConfig.Builder config) {
    Worker worker = Worker.start(config.build());
    workers.add(worker);
    return worker;
  }

  Worker start(WorkerOptions options) {
    return start(config(options));
  }

  Worker start() {
    return start(config());
  }

  TaskEnvelope task(long id, String app, Object... args) {
    JsonNode array = codec.json().toTree(Arrays.asList(args));
    return new TaskEnvelope(WireCodec.VERSION, id, RUN, app, array, 1, replies, null, null);
  }

  void send(TaskEnvelope... envelopes) {
    sendRaw(codec.encodeTasks(List.of(envelopes)));
  }

  void sendRaw(byte[] body) {
    memory.send(tasks, List.of(body)).join();
  }

  /**
   * Receives exactly this many results (acking them), failing if they do not come. Each receive is
   * a long poll that returns as soon as a result arrives, so nothing is slept through.
   */
  List<ResultEnvelope> awaitResults(int count) {
    List<ResultEnvelope> results = new ArrayList<>();
    while (results.size() < count) {
      List<ResultEnvelope> next = receiveResults(PATIENCE);
      if (next.isEmpty()) {
        fail("got %d of %d results, then none for %s: %s", results.size(), count, PATIENCE, results);
      }
      results.addAll(next);
    }
    return results;
  }

  ResultEnvelope awaitResult() {
    return awaitResults(1).get(0);
  }

  List<ResultEnvelope> receiveResults(Duration wait) {
    List<ReceivedMessage> messages = memory.receive(replies, 10, wait).join();
    List<ResultEnvelope> results = new ArrayList<>();
    for (ReceivedMessage message : messages) {
      var decoded = codec.decodeResults(message.body(), memory.limits().maxMessageBytes());
      if (!decoded.rejected().isEmpty()) {
        fail("worker posted invalid results: %s", decoded.rejected());
      }
      results.addAll(decoded.envelopes());
    }
    if (!messages.isEmpty()) {
      memory.ack(replies, messages).join();
    }
    return results;
  }

  /** Receives this many messages from the task queue's dead-letter queue (long polls, as above). */
  List<ReceivedMessage> awaitDeadLetters(int count) {
    List<ReceivedMessage> dead = new ArrayList<>();
    while (dead.size() < count) {
      List<ReceivedMessage> next = memory.receive(deadLetters, 10, PATIENCE).join();
      if (next.isEmpty()) {
        fail("got %d of %d dead letters, then none for %s", dead.size(), count, PATIENCE);
      }
      dead.addAll(next);
    }
    return dead;
  }

  List<String> deadLetterReasons() {
    return memory.deadLetterReasons("tasks");
  }

  QueueDepth depth() {
    return memory.depth(tasks).join();
  }

  static void await(String what, BooleanSupplier condition) {
    Await.until(PATIENCE, condition, () -> what);
  }

  static Instant past() {
    return Instant.now().minusSeconds(60);
  }

  @Override
  public void close() {
    for (Worker worker : workers) {
      worker.shutdown();
    }
    for (Worker worker : workers) {
      worker.awaitTermination();
    }
    memory.close();
  }
}
