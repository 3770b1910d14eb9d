package dev.shoal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.testing.Await;
import dev.shoal.testing.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A worker's heartbeat beats while the worker makes progress on its queue, and falls silent when it hangs. */
@Timeout(60)
class HeartbeatLoopTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final Duration STALL_LIMIT = Duration.ofMinutes(2);

  /** Counts beats; fails the first {@code failures} of them. */
  static final class CountingHeartbeat implements Heartbeat {
    final AtomicInteger beats = new AtomicInteger();
    final AtomicInteger failures;
    final AtomicBoolean closed = new AtomicBoolean();

    CountingHeartbeat(int failures) {
      this.failures = new AtomicInteger(failures);
    }

    @Override
    public void beat() {
      if (failures.getAndDecrement() > 0) {
        throw new IllegalStateException("bucket unreachable");
      }
      beats.incrementAndGet();
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void aWorkerWhosePollsHangStopsBeatingAndBeatsAgainOnceTheyAreAnswered() {
    ManualClock clock = new ManualClock();
    CountingHeartbeat heartbeat = new CountingHeartbeat(0);
    try (Harness harness = new Harness(Duration.ofSeconds(30))) {
      ActivityTrackingTransportTest.HangingReceives hanging =
          new ActivityTrackingTransportTest.HangingReceives(harness.transport);
      hanging.hang(false);
      ActivityTrackingTransport tracked = new ActivityTrackingTransport(hanging, clock);
      harness.start(harness.config().transport(tracked));
      HeartbeatLoop loop = HeartbeatLoop.unstarted("w1", heartbeat, tracked, STALL_LIMIT, clock);

      assertThat(loop.beatIfActive()).isTrue();

      // Its next poll hangs, as on a dead connection: the worker is stuck, though its JVM runs.
      hanging.hang(true);
      Await.until(PATIENCE, () -> hanging.hung() > 0, () -> "a poll that hangs");
      clock.advance(STALL_LIMIT.minusSeconds(1));
      assertThat(loop.beatIfActive()).isTrue();
      clock.advance(Duration.ofSeconds(1));
      assertThat(loop.beatIfActive()).isFalse();
      clock.advance(STALL_LIMIT);
      assertThat(loop.beatIfActive()).isFalse();
      assertThat(heartbeat.beats).hasValue(2);

      hanging.hang(false);
      Await.until(PATIENCE, () -> tracked.isActive(clock.instant(), STALL_LIMIT), () -> "an answered poll");
      assertThat(loop.beatIfActive()).isTrue();
      assertThat(heartbeat.beats).hasValue(3);
    }
  }

  @Test
  void beatsAtOnceThenEveryPeriodThroughFailuresUntilClosed() {
    CountingHeartbeat heartbeat = new CountingHeartbeat(2);
    try (Harness harness = new Harness(Duration.ofSeconds(30))) {
      ActivityTrackingTransport tracked = new ActivityTrackingTransport(harness.transport, Clock.systemUTC());
      harness.start(harness.config().transport(tracked));
      HeartbeatLoop loop = HeartbeatLoop.start("w1", heartbeat, tracked, Duration.ofMillis(20), STALL_LIMIT,
          Clock.systemUTC());

      // Two beats fail (the bucket is unreachable for a while); the loop goes on.
      Await.until(PATIENCE, () -> heartbeat.beats.get() >= 3, () -> "three beats");
      loop.close();

      assertThat(heartbeat.closed).isTrue();
      int last = heartbeat.beats.get();
      // Closing waited for the loop's thread: no beat comes after it.
      assertThat(heartbeat.beats).hasValue(last);
    }
  }
}
