package dev.shoal.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.taskdb.MonitorTestApps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProgressBarTest {
  @TempDir Path dir;

  static Stream<Arguments> terminals() {
    return Stream.of(
        Arguments.of("a console", Map.of("TERM", "xterm-256color"), true, true),
        Arguments.of("a pipe", Map.of("TERM", "xterm-256color"), false, false),
        Arguments.of("a dumb terminal", Map.of("TERM", "dumb"), true, false),
        Arguments.of("a CI job", Map.of("TERM", "xterm", "CI", "true"), true, false),
        Arguments.of("GitHub Actions", Map.of("GITHUB_ACTIONS", "true"), true, false),
        Arguments.of("no TERM at all", Map.of(), true, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("terminals")
  void drawsOnlyOnATerminal(String where, Map<String, String> env, boolean console, boolean draws) {
    assertThat(ProgressBar.isTerminal(env, console)).isEqualTo(draws);
  }

  @Test
  void theLineSaysWhereTasksAreTheRateAndTheTimeLeft() {
    ProgressBar bar = new ProgressBar(new PrintStream(new ByteArrayOutputStream()), 120, () -> 0, false);
    String first = bar.line(new TaskCounts(1_000, 100, 0, 8, 892), 0);
    assertThat(first).startsWith("[####....................................] ")
        .contains("100/1,000 done, 0 failed, 8 running, 892 waiting | 0.0/s").doesNotContain("ETA");
    // 300 more finished in 2 s: 150/s, 597 left: 4 s.
    String second = bar.line(new TaskCounts(1_000, 397, 3, 8, 592), 2_000_000_000L);
    assertThat(second).contains("397/1,000 done, 3 failed, 8 running, 592 waiting | 150.0/s | ETA 0:04");
    assertThat(second).startsWith("[################........................]");
  }

  @Test
  void theRateForgetsWhatIsOlderThanItsWindow() {
    ProgressBar bar = new ProgressBar(new PrintStream(new ByteArrayOutputStream()), 120, () -> 0, false);
    bar.line(new TaskCounts(10_000, 0, 0, 0, 10_000), 0);
    bar.line(new TaskCounts(10_000, 5_000, 0, 0, 5_000), 1_000_000_000L); // a fast start
    bar.line(new TaskCounts(10_000, 5_010, 0, 0, 4_990), 11_000_000_000L);
    String slow = bar.line(new TaskCounts(10_000, 5_020, 0, 0, 4_980), 21_000_000_000L);
    // Over the last 10 s: 10 tasks, 1/s, not the 5,000 of the first second.
    assertThat(slow).contains("| 1.0/s | ETA 1:23:00");
  }

  @Test
  void aRunDrawsItsBarAndEndsWithTheFinalCounts() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(dir)
        .executor(ThreadPoolTaskExecutor.builder().threads(2).build())
        .listener(ProgressBar.onStream(new PrintStream(bytes, true, StandardCharsets.UTF_8), 100)).build()) {
      for (long i = 0; i < 9; i++) {
        dfk.call(MonitorTestApps.SQUARE, i);
      }
      AppFuture<Long> failing = dfk.call(MonitorTestApps.FAIL, "no");
      failing.exceptionally(error -> 0L).join();
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).endsWith(System.lineSeparator());
    String[] redraws = out.strip().split("\r");
    assertThat(redraws[redraws.length - 1]).startsWith("[##########")
        .contains("9/10 done, 1 failed, 0 running, 0 waiting");
  }

  @Test
  void theCounterTellsRunningFromWaiting() throws Exception {
    ProgressCounter counter = new ProgressCounter();
    String key = UUID.randomUUID().toString();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(dir)
        .executor(ThreadPoolTaskExecutor.builder().threads(2).build()).listener(counter).build()) {
      AppFuture<Long> gated = dfk.call(MonitorTestApps.GATED, key);
      AppFuture<Long> after = dfk.call(MonitorTestApps.SQUARE, gated);
      assertThat(counter.counts()).isEqualTo(new TaskCounts(2, 0, 0, 1, 1));
      MonitorTestApps.open(key);
      assertThat(after.join()).isEqualTo(1L);
      dfk.waitForCurrentTasks();
    }
    assertThat(counter.counts()).isEqualTo(new TaskCounts(2, 2, 0, 0, 0));
  }
}
