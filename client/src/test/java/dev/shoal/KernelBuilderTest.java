package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build() never changes a builder: a second build() gives an independent kernel or says why it cannot. */
class KernelBuilderTest {
  @TempDir Path runDir;

  @Test
  void aBuilderWithoutExecutorsGivesEachKernelAThreadPoolOfItsOwn() throws Exception {
    DataFlowKernel.Builder builder = DataFlowKernel.builder().runDir(runDir);
    DataFlowKernel first = builder.build();
    try (DataFlowKernel second = builder.build()) {
      assertThat(first.call(TestApps.INC, 1L).get(30, SECONDS)).isEqualTo(2L);
      first.close(); // closes the first kernel's pool, not the second's

      assertThat(second.call(TestApps.INC, 2L).get(30, SECONDS)).isEqualTo(3L);
      assertThat(second.call(TestApps.THREAD_NAME, 1L).get(30, SECONDS)).startsWith("shoal-threads-");
    }
  }

  @Test
  void buildLeavesTheBuilderAsItWas() throws Exception {
    DataFlowKernel.Builder builder = DataFlowKernel.builder().runDir(runDir);
    try (DataFlowKernel first = builder.build()) {
      assertThat(first.call(TestApps.INC, 1L).get(30, SECONDS)).isEqualTo(2L);
    }
    // Had build() added its default pool to the builder, that pool would come first and run the app.
    builder.executor(ThreadPoolTaskExecutor.builder().label("later").threadNamePrefix("later-").threads(1).build());
    try (DataFlowKernel second = builder.build()) {
      assertThat(second.call(TestApps.THREAD_NAME, 1L).get(30, SECONDS)).isEqualTo("later-1");
    }
  }

  @Test
  void aSecondBuildOfABuilderGivenAnExecutorFailsClearlyAndLeavesTheFirstKernelRunning() throws Exception {
    DataFlowKernel.Builder builder = DataFlowKernel.builder().runDir(runDir).runId("first-run")
        .executor(ThreadPoolTaskExecutor.builder().label("pool").threads(2).build());
    try (DataFlowKernel first = builder.build()) {
      assertThatThrownBy(builder::build)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("pool")
          .hasMessageContaining("already started")
          .hasMessageContaining("first-run")
          .hasMessageContaining("one kernel");

      assertThat(first.call(TestApps.INC, 1L).get(30, SECONDS)).isEqualTo(2L);
      assertThat(first.call(TestApps.THREAD_NAME, 1L).get(30, SECONDS)).startsWith("shoal-pool-");
    }
  }

  @Test
  void aCheckpointServesOneOpenKernelAtATime() throws Exception {
    Path checkpoint = runDir.resolve("checkpoint.jsonl");
    String key = TestApps.key();
    DataFlowKernel.Builder builder = DataFlowKernel.builder().runDir(runDir).checkpoint(checkpoint);
    try (DataFlowKernel first = builder.build()) {
      assertThat(first.call(TestApps.COUNTED_SQUARE, key, 3L).get(30, SECONDS)).isEqualTo(9L);

      assertThatThrownBy(builder::build)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(checkpoint.toString())
          .hasMessageContaining("in use by another open kernel");
    }
    try (DataFlowKernel second = builder.build()) {
      AppFuture<Long> again = second.call(TestApps.COUNTED_SQUARE, key, 3L);
      assertThat(again.get(30, SECONDS)).isEqualTo(9L);
      assertThat(again.reused()).isTrue();
    }
    assertThat(TestApps.count(key)).isEqualTo(1);
    assertThat(Files.readAllLines(checkpoint)).hasSize(1);
  }

  @Test
  void aBuildThatFailsToStartAnExecutorReleasesTheCheckpoint() throws Exception {
    Path checkpoint = runDir.resolve("checkpoint.jsonl");
    ThreadPoolTaskExecutor taken = ThreadPoolTaskExecutor.builder().label("taken").threads(1).build();
    try (DataFlowKernel owner = DataFlowKernel.builder().runDir(runDir).executor(taken).build()) {
      ThreadPoolTaskExecutor fresh = ThreadPoolTaskExecutor.builder().label("fresh").threads(1).build();
      DataFlowKernel.Builder failing = DataFlowKernel.builder().runDir(runDir).checkpoint(checkpoint)
          .executor(fresh).executor(taken);
      assertThatThrownBy(failing::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");

      // The executor it could not start still serves its owner.
      assertThat(owner.call(TestApps.INC, 1L).get(30, SECONDS)).isEqualTo(2L);
    }
    try (DataFlowKernel next = DataFlowKernel.builder().runDir(runDir).checkpoint(checkpoint).build()) {
      assertThat(next.call(TestApps.INC, 1L).get(30, SECONDS)).isEqualTo(2L);
    }
  }

  @Test
  void aThreadPoolBuilderBuildsIndependentExecutors() throws Exception {
    ThreadPoolTaskExecutor.Builder builder = ThreadPoolTaskExecutor.builder().label("p").threads(1);
    ThreadPoolTaskExecutor one = builder.build();
    ThreadPoolTaskExecutor two = builder.build();
    builder.threads(3).label("changed");
    assertThat(one).isNotSameAs(two);
    assertThat(one.threads()).isEqualTo(1);
    assertThat(two.label()).isEqualTo("p");

    DataFlowKernel first = DataFlowKernel.builder().runDir(runDir).executor(one).build();
    try (DataFlowKernel second = DataFlowKernel.builder().runDir(runDir).executor(two).build()) {
      assertThat(first.call(TestApps.THREAD_NAME, 1L).get(30, SECONDS)).isEqualTo("shoal-p-1");
      first.close();
      assertThat(second.call(TestApps.THREAD_NAME, 1L).get(30, SECONDS)).isEqualTo("shoal-p-1");
    }
  }
}
