package dev.shoal.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void returnsAtTheFirstCheckThatHolds() {
    AtomicInteger checks = new AtomicInteger();

    Await.until(LONG, () -> checks.incrementAndGet() == 3, () -> "the third check");

    assertThat(checks).hasValue(3);
  }

  @Test
  void returnsWhatTheProbeFound() {
    AtomicInteger checks = new AtomicInteger();

    String found = Await.untilPresent(LONG,
        () -> checks.incrementAndGet() < 4 ? Optional.empty() : Optional.of("found at " + checks.get()),
        () -> "a value");

    assertThat(found).isEqualTo("found at 4");
  }

  @Test
  void failsPastTheDeadlineSayingWhatItAwaitedAndHowLong() {
    AtomicInteger checks = new AtomicInteger();

    assertThatThrownBy(() -> Await.until(Duration.ofMillis(200), () -> checks.incrementAndGet() < 0,
        () -> "a negative count (at " + checks.get() + " checks)"))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("timed out after 200 ms waiting for a negative count (at ")
        .hasMessageEndingWith(" checks)");
    assertThat(checks.get()).as("checked more than once").isGreaterThan(1);
  }

  @Test
  void aZeroTimeoutChecksOnce() {
    AtomicInteger checks = new AtomicInteger();

    assertThatThrownBy(() -> Await.until(Duration.ZERO, () -> checks.incrementAndGet() < 0, () -> "nothing"))
        .hasMessage("timed out after 0 ms waiting for nothing");
    assertThat(checks).hasValue(1);
  }

  @Test
  void readsTheDescriptionOnlyOnFailure() {
    Await.until(LONG, () -> true, () -> {
      throw new IllegalStateException("read although nothing failed");
    });
  }

  @Test
  void anInterruptedWaitFailsAndKeepsTheInterrupt() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Await.until(LONG, () -> false, () -> "something"))
          .isInstanceOf(AssertionError.class)
          .hasMessage("interrupted while waiting for something");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void durationsReadAsSecondsOrMilliseconds() {
    assertThat(Await.describe(Duration.ofSeconds(30))).isEqualTo("30 s");
    assertThat(Await.describe(Duration.ofMillis(1_500))).isEqualTo("1.5 s");
    assertThat(Await.describe(Duration.ofMillis(200))).isEqualTo("200 ms");
  }
}
