package dev.shoal.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.executor.TaskEncoder.Outgoing;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.TransportLimits;
import dev.shoal.spi.ForwardingTransport;
import dev.shoal.testing.InMemoryTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskPublisherTest {
  private static final TransportLimits SMALL = new TransportLimits(2_000, 3, 5, Duration.ofSeconds(1),
      Duration.ofHours(1));

  private final WireCodec codec = new WireCodec(JsonCodec.create());
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final InMemoryTransport memory = new InMemoryTransport(SMALL);
  private final String queue = memory.createQueue("tasks", QueueOptions.defaults()).join();
  private final LongAdder published = new LongAdder();
  private final Map<Long, Throwable> failures = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    timer.shutdownNow();
    memory.close();
  }

  private TaskPublisher publisher(Transport transport, int maxTasksPerMessage, Duration retryTimeout) {
    TaskPublisher publisher = new TaskPublisher("test", transport, queue, maxTasksPerMessage, () -> 0, 1, retryTimeout,
        timer, (tasks, bundles) -> published.add(tasks), (task, error) -> failures.put(task.taskId(), error));
    publisher.start();
    return publisher;
  }

  private Outgoing task(long id) {
    TaskEnvelope envelope = new TaskEnvelope(WireCodec.VERSION, id, "run-1", "app.x",
        codec.json().mapper().createArrayNode().add("x".repeat(100)), 1, "mem://replies", null, null);
    return new Outgoing(id, 1, codec.envelopeBytes(envelope));
  }

  /** Every task id on the queue, and the number of messages they came in. */
  private List<Long> drainQueue(int expectedTasks, List<Integer> sizes) {
    List<Long> ids = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ids.size() < expectedTasks && System.nanoTime() < deadline) {
      for (ReceivedMessage message : memory.receive(queue, 5, Duration.ofMillis(200)).join()) {
        assertThat(message.body().length).isLessThanOrEqualTo(SMALL.maxMessageBytes());
        List<TaskEnvelope> tasks = codec.decodeTasks(message.body(), SMALL.maxMessageBytes()).envelopes();
        sizes.add(tasks.size());
        tasks.forEach(task -> ids.add(task.id()));
      }
    }
    return ids;
  }

  @Test
  void aBurstIsPackedIntoFullMessagesWithinTheTransportsLimits() {
    TaskPublisher publisher = publisher(memory, 256, Duration.ofSeconds(5));
    // Held back until the whole burst is queued: the first send waits for its permit.
    for (long id = 1; id <= 100; id++) {
      publisher.publish(task(id));
    }
    List<Integer> sizes = new ArrayList<>();
    List<Long> ids = drainQueue(100, sizes);
    publisher.close();

    assertThat(ids).containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList());
    int perMessage = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
    assertThat(perMessage).isGreaterThan(1);
    assertThat(published.sum()).isEqualTo(100);
    assertThat(publisher.tasksSent()).isEqualTo(100);
    assertThat(publisher.messagesSent()).isEqualTo(sizes.size());
  }

  @Test
  void theTaskCountPerMessageIsCapped() {
    TaskPublisher publisher = publisher(memory, 2, Duration.ofSeconds(5));
    for (long id = 1; id <= 9; id++) {
      publisher.publish(task(id));
    }
    List<Integer> sizes = new ArrayList<>();
    assertThat(drainQueue(9, sizes)).hasSize(9);
    publisher.close();

    assertThat(sizes).allMatch(size -> size <= 2);
  }

  /** The sizes of the messages a burst of this many tasks goes out in, with this many consumers ready. */
  private List<Integer> burst(int consumers, int tasks) {
    TaskPublisher publisher = new TaskPublisher("test", memory, queue, 256, () -> consumers, 1, Duration.ofSeconds(5),
        timer, (sent, bundles) -> published.add(sent), (task, error) -> failures.put(task.taskId(), error));
    // Queued before the publisher starts: its first send takes the whole burst.
    for (long id = 1; id <= tasks; id++) {
      publisher.publish(task(id));
    }
    publisher.start();
    List<Integer> sizes = new ArrayList<>();
    assertThat(drainQueue(tasks, sizes)).hasSize(tasks);
    publisher.close();
    return sizes.stream().sorted().toList();
  }

  @Test
  void aBurstGoesOutInAtLeastAsManyMessagesAsThereAreConsumersReady() {
    // Five small tasks fit one message; four consumers each get a share.
    assertThat(burst(4, 5)).containsExactly(1, 1, 1, 2);
    assertThat(burst(3, 9)).containsExactly(3, 3, 3);
    // Never more messages than tasks.
    assertThat(burst(4, 2)).containsExactly(1, 1);
    // Unknown consumers: as full as the limits allow.
    assertThat(burst(0, 5)).containsExactly(5);
    // More tasks than fit: the byte limit still splits a share that is too large.
    assertThat(burst(2, 30)).hasSizeGreaterThan(2).allMatch(size -> size <= 15);
    assertThat(failures).isEmpty();
  }

  @Test
  void aLoneTaskGoesOutAtOnce() {
    TaskPublisher publisher = publisher(memory, 256, Duration.ofSeconds(5));
    publisher.publish(task(42));

    assertThat(drainQueue(1, new ArrayList<>())).containsExactly(42L);
    publisher.close();
  }

  @Test
  void sendsThatFailWithRetryableErrorsAreRetriedUntilTheyGoThrough() {
    AtomicInteger failuresLeft = new AtomicInteger(3);
    Transport flaky = new ForwardingTransport(memory) {
      @Override
      public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
        return failuresLeft.getAndDecrement() > 0
            ? CompletableFuture.failedFuture(new TransportException("503 slow down", true))
            : super.send(address, bodies);
      }
    };
    TaskPublisher publisher = publisher(flaky, 256, Duration.ofSeconds(30));
    publisher.publish(task(1));
    publisher.publish(task(2));

    assertThat(drainQueue(2, new ArrayList<>())).containsExactlyInAnyOrder(1L, 2L);
    publisher.close();
    assertThat(failures).isEmpty();
  }

  @Test
  void aRefusedSendFailsItsTasksAtOnceSayingWhy() throws Exception {
    CountDownLatch failed = new CountDownLatch(2);
    List<String> messages = new CopyOnWriteArrayList<>();
    Transport refusing = new ForwardingTransport(memory) {
      @Override
      public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
        return CompletableFuture.failedFuture(new TransportException("access denied", false));
      }
    };
    TaskPublisher publisher = new TaskPublisher("test", refusing, queue, 256, () -> 0, 1, Duration.ofMinutes(10), timer,
        (tasks, bundles) -> published.add(tasks), (task, error) -> {
          messages.add(task.taskId() + ": " + error.getMessage());
          failed.countDown();
        });
    publisher.start();
    publisher.publish(task(1));
    publisher.publish(task(2));

    assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
    publisher.close();
    assertThat(messages).hasSize(2).allMatch(m -> m.contains("access denied") && m.contains(queue));
  }

  @Test
  void sendsStillFailingAfterTheRetryTimeoutFailTheirTasks() throws Exception {
    CountDownLatch failed = new CountDownLatch(1);
    Transport down = new ForwardingTransport(memory) {
      @Override
      public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
        return CompletableFuture.failedFuture(new TransportException("connection refused", true));
      }
    };
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    TaskPublisher publisher = new TaskPublisher("test", down, queue, 256, () -> 0, 1, Duration.ofMillis(200), timer,
        (tasks, bundles) -> published.add(tasks), (task, error) -> {
          errors.add(error);
          failed.countDown();
        });
    publisher.start();
    publisher.publish(task(1));

    assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
    publisher.close();
    assertThat(errors.get(0)).isInstanceOf(TransportException.class)
        .hasMessageContaining("within PT0.2S").hasMessageContaining("connection refused");
  }
}
