package dev.shoal.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.TransportException;
import dev.shoal.testing.Await;
import dev.shoal.spi.ForwardingTransport;
import dev.shoal.testing.InMemoryTransport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BundlingRecordTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final InMemoryTransport memory = new InMemoryTransport();
  private final String queue = memory.createQueue("tasks", QueueOptions.defaults()).join();
  private final AtomicInteger writes = new AtomicInteger();
  private final ForwardingTransport counting = new ForwardingTransport(memory) {
    @Override
    public CompletableFuture<Void> tagQueue(String address, Map<String, String> tags) {
      writes.incrementAndGet();
      return super.tagQueue(address, tags);
    }
  };

  @AfterEach
  void stop() {
    timer.shutdownNow();
    memory.close();
  }

  private String recorded() {
    return memory.queueTags(queue).join().get(QueueDepth.TASKS_PER_MESSAGE_TAG);
  }

  @Test
  void aBurstAfterALoneTaskIsRecordedWithinASecond() {
    BundlingRecord record = new BundlingRecord("test", counting, queue, timer);

    // The adaptive publisher sends a burst's first task alone, then the rest in bundles.
    record.published(1, 1);
    assertThat(recorded()).isEqualTo("1.0");
    record.published(999, 4);

    // Not at once (one write a second), but without another publish to carry it.
    Await.until(Duration.ofSeconds(10), () -> "201.6".equals(recorded()), () -> "the burst recorded: " + recorded());
    assertThat(writes.get()).isEqualTo(2);
  }

  @Test
  void onlyMovesOfAQuarterAreWrittenAndATrickleOfSingleTasksBringsTheFigureDown() {
    // No least interval: every decision is made, and every write done, within the publish.
    BundlingRecord record = new BundlingRecord("test", counting, queue, timer, Duration.ZERO);
    record.published(1, 1);
    record.published(999, 4);
    assertThat(recorded()).isEqualTo("201.6");

    record.published(200, 1);
    assertThat(record.tasksPerMessage()).isBetween(201.0, 202.0);
    assertThat(writes.get()).as("writes after a small move").isEqualTo(2);

    for (int i = 0; i < 300; i++) {
      record.published(1, 1);
    }
    assertThat(Double.parseDouble(recorded())).isLessThan(2);
    // From 201.6 down to 1.5 in steps of at least a quarter: about log(134)/log(1.25) = 22 writes.
    assertThat(writes.get()).isBetween(10, 30);
  }

  @Test
  void aTransportThatCannotLabelQueuesIsNotAskedAgain() {
    AtomicInteger tries = new AtomicInteger();
    ForwardingTransport unlabelled = new ForwardingTransport(memory) {
      @Override
      public CompletableFuture<Void> tagQueue(String address, Map<String, String> tags) {
        tries.incrementAndGet();
        return CompletableFuture.failedFuture(new TransportException("access denied", false));
      }
    };
    BundlingRecord record = new BundlingRecord("test", unlabelled, queue, timer);

    record.published(1, 1);
    record.published(999, 4);
    record.published(1, 1);

    assertThat(tries.get()).isEqualTo(1);
    assertThat(recorded()).isNull();
  }
}
