package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutorMappingTest {
  @TempDir Path runDir;

  private static ThreadPoolTaskExecutor pool(String label) {
    return ThreadPoolTaskExecutor.builder().label(label).threads(2).build();
  }

  private DataFlowKernel.Builder twoExecutors() {
    return DataFlowKernel.builder().runDir(runDir).executor(pool("a")).executor(pool("b"));
  }

  @Test
  void appsRunOnTheExecutorTheyAskForAndOthersOnTheFirst() throws Exception {
    try (DataFlowKernel dfk = twoExecutors().build()) {
      assertThat(dfk.call(TestApps.THREAD_NAME_ON_B, 1L).get(30, SECONDS)).startsWith("shoal-b-");
      assertThat(dfk.call(TestApps.THREAD_NAME, 1L).get(30, SECONDS)).startsWith("shoal-a-");
    }
  }

  @Test
  void theKernelsMappingOverridesWhatTheAppAsksFor() throws Exception {
    try (DataFlowKernel dfk = twoExecutors()
        .mapApp(TestApps.THREAD_NAME_ON_B.name(), "a")
        .mapApp(TestApps.THREAD_NAME.name(), "b")
        .build()) {
      assertThat(dfk.call(TestApps.THREAD_NAME_ON_B, 1L).get(30, SECONDS)).startsWith("shoal-a-");
      assertThat(dfk.call(TestApps.THREAD_NAME, 1L).get(30, SECONDS)).startsWith("shoal-b-");
    }
  }

  @Test
  void anAppAskingForAnUnknownExecutorIsRefusedClearly() {
    try (DataFlowKernel dfk = twoExecutors().build()) {
      assertThatThrownBy(() -> dfk.call(TestApps.ON_MISSING_EXECUTOR, 1L))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(TestApps.ON_MISSING_EXECUTOR.name())
          .hasMessageContaining("'no-such-executor'")
          .hasMessageContaining("a")
          .hasMessageContaining("b");
      assertThat(dfk.stats().submitted()).isZero();
    }
  }

  @Test
  void mappingAnAppToAnUnknownExecutorIsRefusedAtBuild() {
    assertThatThrownBy(() -> twoExecutors().mapApp("test.inc", "c").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("test.inc")
        .hasMessageContaining("'c'");
  }

  @Test
  void twoExecutorsWithTheSameLabelAreRefused() {
    assertThatThrownBy(() -> DataFlowKernel.builder().runDir(runDir).executor(pool("a")).executor(pool("a")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a'");
  }

  @Test
  void withoutExecutorsTheKernelUsesAThreadPool() throws Exception {
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).build()) {
      assertThat(dfk.call(TestApps.THREAD_NAME, 1L).get(30, SECONDS)).startsWith("shoal-threads-");
    }
  }

  @Test
  void threadNamesCanBeChosen() throws Exception {
    ThreadPoolTaskExecutor custom = ThreadPoolTaskExecutor.builder().label("x").threadNamePrefix("custom-").threads(1).build();
    assertThat(custom.threads()).isEqualTo(1);
    assertThat(custom.label()).isEqualTo("x");
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(custom).build()) {
      assertThat(dfk.call(TestApps.THREAD_NAME, 1L).get(30, SECONDS)).isEqualTo("custom-1");
    }
  }

  @Test
  void anExecutorCannotBeStartedTwice() {
    ThreadPoolTaskExecutor shared = pool("a");
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(shared).build()) {
      assertThatThrownBy(() -> DataFlowKernel.builder().runDir(runDir).executor(shared).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already started");
    }
  }
}
