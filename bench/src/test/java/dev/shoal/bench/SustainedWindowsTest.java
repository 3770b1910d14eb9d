package dev.shoal.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SustainedWindowsTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void eachWindowIsItsTasksOverTheTimeSinceTheLastBoundary() {
    // Windows of 1,000 tasks taking 1 s, 1 s, 2 s and 0.5 s.
    long[] boundaries = {5 * SECOND, 6 * SECOND, 7 * SECOND, 9 * SECOND, 9 * SECOND + SECOND / 2};

    SustainedBench.Windows windows = SustainedBench.Windows.of(boundaries, 1_000);

    assertThat(windows.tasksPerSecond()).containsExactly(1_000, 1_000, 500, 2_000);
    assertThat(windows.median()).isEqualTo(1_000);
    assertThat(windows.minRatio()).isCloseTo(0.5, within(1e-9));
    assertThat(windows.below(0.8)).isEqualTo(1);
    assertThat(windows.slowerThan(0.8)).containsExactly(3);
  }

  @Test
  void steadyWindowsHaveNoneBelow() {
    SustainedBench.Windows windows = SustainedBench.Windows.of(new long[] {0, SECOND, 2 * SECOND, 3 * SECOND}, 50);

    assertThat(windows.minRatio()).isEqualTo(1.0);
    assertThat(windows.below(0.8)).isZero();
  }
}
