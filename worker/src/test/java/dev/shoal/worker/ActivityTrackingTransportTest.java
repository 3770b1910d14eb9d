package dev.shoal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.ForwardingTransport;
import dev.shoal.testing.InMemoryTransport;
import dev.shoal.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What counts as a worker's progress on its queue: answers, of any kind, and no call left hanging. */
class ActivityTrackingTransportTest {
  private static final Duration LIMIT = Duration.ofMinutes(2);

  private final ManualClock clock = new ManualClock();
  private final InMemoryTransport memory = new InMemoryTransport();
  private final String queue = memory.createQueue("tasks", QueueOptions.defaults()).join();

  @AfterEach
  void close() {
    memory.close();
  }

  @Test
  void startingCountsAsProgressUntilTheLimit() {
    ActivityTrackingTransport tracked = new ActivityTrackingTransport(memory, clock);

    clock.advance(LIMIT.minusSeconds(1));
    assertThat(tracked.isActive(clock.instant(), LIMIT)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(tracked.isActive(clock.instant(), LIMIT)).isFalse();
    assertThat(tracked.stalledFor(clock.instant())).isEqualTo(LIMIT);
  }

  @Test
  void anyAnsweredCallIsProgressEvenAFailedOne() {
    ActivityTrackingTransport tracked = new ActivityTrackingTransport(memory, clock);
    clock.advance(LIMIT.plusMinutes(1));

    assertThat(tracked.depth(queue).join()).isEqualTo(new QueueDepth(0, 0));
    assertThat(tracked.stalledFor(clock.instant())).isZero();

    clock.advance(LIMIT.plusMinutes(1));
    assertThat(tracked.isActive(clock.instant(), LIMIT)).isFalse();
    // A service that answers with an error still answers: the worker's loop runs.
    assertThat(tracked.depth("mem://no-such-queue")).isCompletedExceptionally();
    assertThat(tracked.isActive(clock.instant(), LIMIT)).isTrue();
  }

  @Test
  void aCallThatNeverReturnsIsAStallWhileOtherCallsAreAnswered() {
    HangingReceives hanging = new HangingReceives(memory);
    ActivityTrackingTransport tracked = new ActivityTrackingTransport(hanging, clock);

    CompletableFuture<List<ReceivedMessage>> poll = tracked.receive(queue, 10, Duration.ofSeconds(20));
    clock.advance(Duration.ofMinutes(1));
    tracked.depth(queue).join();
    assertThat(tracked.stalledFor(clock.instant())).isEqualTo(Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(1));
    tracked.depth(queue).join();

    assertThat(tracked.isActive(clock.instant(), LIMIT)).isFalse();

    poll.complete(List.of());
    assertThat(tracked.isActive(clock.instant(), LIMIT)).isTrue();
  }

  @Test
  void aCallThatThrowsInsteadOfFailingItsFutureIsNotLeftOutstanding() {
    ActivityTrackingTransport tracked = new ActivityTrackingTransport(new ForwardingTransport(memory) {
      @Override
      public CompletableFuture<Void> ack(String address, List<ReceivedMessage> messages) {
        throw new IllegalStateException("closed");
      }
    }, clock);

    assertThatThrownBy(() -> tracked.ack(queue, List.of())).hasMessage("closed");
    clock.advance(LIMIT.minusSeconds(1));

    assertThat(tracked.isActive(clock.instant(), LIMIT)).isTrue();
  }

  /** Polls that the service never answers, as a hung connection's. */
  static final class HangingReceives extends ForwardingTransport {
    private volatile boolean hang = true;
    private final List<CompletableFuture<List<ReceivedMessage>>> hung = new java.util.concurrent.CopyOnWriteArrayList<>();

    HangingReceives(dev.shoal.spi.Transport delegate) {
      super(delegate);
    }

    void hang(boolean hang) {
      this.hang = hang;
      if (!hang) {
        hung.forEach(poll -> poll.complete(List.of()));
      }
    }

    int hung() {
      return (int) hung.stream().filter(poll -> !poll.isDone()).count();
    }

    @Override
    public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
      if (!hang) {
        return super.receive(address, max, wait);
      }
      CompletableFuture<List<ReceivedMessage>> poll = new CompletableFuture<>();
      hung.add(poll);
      return poll;
    }
  }
}
