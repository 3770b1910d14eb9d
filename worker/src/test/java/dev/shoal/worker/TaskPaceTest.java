package dev.shoal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TaskPaceTest {
  private static final Duration HORIZON = Duration.ofSeconds(1);
  private static final int SLOTS = 2;
  private static final int MAX_WAITING = 64;

  /**
   * One row: the durations of the tasks that finished, the youngest running task's age (every slot
   * busy; 0 when not), and how many tasks may wait when polling and when deciding what to keep.
   */
  record Case(String name, List<Duration> finished, Duration youngestRunning, int pollFor, int keep) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    Duration none = Duration.ZERO;
    return Stream.of(
        new Case("nothing known yet: one task per free slot, nothing handed back", List.of(), none, 0,
            Integer.MAX_VALUE),
        new Case("nothing finished but every slot busy past the horizon: the waiting ones go", List.of(),
            Duration.ofMillis(1500), 0, 0),
        new Case("a cold start's slow first tasks, still under the horizon, hand back nothing", List.of(),
            Duration.ofMillis(900), 0, Integer.MAX_VALUE),
        new Case("multi-second tasks: one per slot, none waiting", List.of(Duration.ofSeconds(2)), none, 0, 0),
        new Case("tasks just over the horizon: none waiting", List.of(Duration.ofMillis(1001)), none, 0, 0),
        new Case("400 ms tasks: each slot gets through 2 more within the horizon",
            List.of(Duration.ofMillis(400)), none, 4, 4),
        new Case("no-op tasks: as many as a poll may bring, and a whole bundle kept",
            List.of(Duration.ofNanos(10_000)), none, MAX_WAITING, 200_000),
        new Case("instant tasks: no limit to what is kept", List.of(Duration.ZERO), none, MAX_WAITING,
            Integer.MAX_VALUE),
        new Case("short on average, but every slot has been busy for 3 s: long after all",
            List.of(Duration.ofNanos(10_000)), Duration.ofSeconds(3), 0, 0),
        new Case("short on average, slots busy under the horizon: the average holds",
            List.of(Duration.ofNanos(10_000)), Duration.ofMillis(500), MAX_WAITING, 200_000),
        new Case("a moving average: one short task after a long one does not make them short",
            List.of(Duration.ofSeconds(2), Duration.ofMillis(100)), none, 0, 0),
        new Case("a moving average: many short tasks after a long one do",
            Stream.concat(Stream.of(Duration.ofSeconds(2)), Stream.generate(() -> Duration.ofMillis(100)).limit(40))
                .toList(), none, 18, 18));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(Case row) {
    TaskPace pace = new TaskPace(SLOTS, HORIZON, MAX_WAITING);
    row.finished().forEach(duration -> pace.finished(duration.toNanos()));

    long youngest = row.youngestRunning().toNanos();
    assertThat(pace.waitingToPollFor(youngest)).as("waiting to poll for").isEqualTo(row.pollFor());
    assertThat(pace.waitingToKeep(youngest)).as("waiting to keep").isEqualTo(row.keep());
  }

  @Test
  void refusesLimitsThatMakeNoSense() {
    assertThatThrownBy(() -> new TaskPace(0, HORIZON, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TaskPace(1, Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TaskPace(1, HORIZON, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
