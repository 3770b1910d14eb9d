package dev.shoal.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.testing.Await;
import dev.shoal.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThrottledNudgerTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:00Z"));
  private final List<ThrottledNudger.Nudge> received = new CopyOnWriteArrayList<>();

  @Test
  void nudgesAtMostOncePerIntervalAndTheNextNudgeCarriesWhatWasPublishedInBetween() {
    try (ThrottledNudger nudger = ThrottledNudger.create("test", received::add, Duration.ofSeconds(1), clock)) {
      nudger.published(10, 1);
      Await.until(PATIENCE, () -> nudger.sent() == 1, () -> "the first nudge");
      nudger.published(10, 1);
      clock.advance(Duration.ofMillis(999));
      nudger.published(30, 2);
      clock.advance(Duration.ofMillis(1));
      nudger.published(3, 1);
      nudger.published(0, 1);
      Await.until(PATIENCE, () -> nudger.sent() == 2, () -> "the second nudge");

      assertThat(received).containsExactly(new ThrottledNudger.Nudge(10, 1), new ThrottledNudger.Nudge(43, 4));
    }
  }

  @Test
  void aHungDispatcherNeverBlocksThePublisher() {
    CountDownLatch release = new CountDownLatch(1);
    try (ThrottledNudger nudger = ThrottledNudger.create("hung", nudge -> release.await(), Duration.ZERO, clock)) {
      nudger.published(1, 1);
      nudger.published(1, 1);
      // Both publishes returned while the first nudge still hangs.
      assertThat(nudger.sent()).isZero();
      release.countDown();
      Await.until(PATIENCE, () -> nudger.sent() >= 1, () -> "the hung nudge to finish");
    }
  }

  @Test
  void aFailedNudgeIsCountedAndNeverThrownIntoThePublisher() {
    try (ThrottledNudger nudger = ThrottledNudger.create("down", nudge -> {
      throw new java.io.IOException("connection refused");
    }, Duration.ZERO, clock)) {
      nudger.published(5, 1);
      Await.until(PATIENCE, () -> nudger.failed() == 1, () -> "the nudge to fail");
      assertThat(nudger.sent()).isZero();
    }
  }

  @Test
  void theNudgePayloadIsWhatTheDispatchersRead() {
    assertThat(new ThrottledNudger.Nudge(1000, 5).toJson())
        .isEqualTo("{\"source\":\"shoal.nudge\",\"tasks\":1000,\"messages\":5}");
  }
}
