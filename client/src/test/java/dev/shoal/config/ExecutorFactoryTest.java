package dev.shoal.config;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.DataFlowKernel;
import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Executors by type through ServiceLoader: each factory reads its own keys, and builds when a kernel starts. */
class ExecutorFactoryTest {
  static final App1<Long, String> THREAD_NAME = Apps.define("config-test.thread-name")
      .java(Long.class, String.class, x -> Thread.currentThread().getName());
  static final App1<Long, String> OTHER_THREAD_NAME = Apps.define("config-test.other-thread-name")
      .java(Long.class, String.class, x -> Thread.currentThread().getName());

  @TempDir Path dir;

  private Path file(String yaml) throws IOException {
    Path file = dir.resolve("shoal.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static String note() {
    return "n" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aTypeIsServedByTheFactoryServiceLoaderFindsAndBuiltOnlyWhenAKernelStartsIt() throws Exception {
    String note = note();
    ShoalConfig config = ShoalConfig.load(file("""
        runDir: %s
        executors:
          - type: recording
            label: rec
            note: %s
        """.formatted(dir.resolve("runs"), note)), Map.of(), Map.of());

    assertThat(RecordingExecutorFactory.READ.get(note)).containsExactly("executors[0] rec");
    assertThat(RecordingExecutorFactory.BUILT.get(note)).as("nothing built by loading").isNull();

    DataFlowKernel.Builder builder = DataFlowKernel.builder().configure(config);
    assertThat(RecordingExecutorFactory.BUILT.get(note)).as("nor by configuring").isNull();
    try (DataFlowKernel dfk = builder.build()) {
      assertThat(RecordingExecutorFactory.BUILT.get(note)).containsExactly("rec");
      assertThat(dfk.call(THREAD_NAME, 1L).get(30, SECONDS)).isEqualTo(note + "-1");
      assertThat(dfk.runDir()).startsWithRaw(dir.resolve("runs"));
    }
    // Each kernel configured from it gets executors of its own.
    try (DataFlowKernel again = DataFlowKernel.builder().configure(config).build()) {
      assertThat(again.call(THREAD_NAME, 1L).get(30, SECONDS)).isEqualTo(note + "-1");
    }
    assertThat(RecordingExecutorFactory.BUILT.get(note)).containsExactly("rec", "rec");
  }

  @Test
  void aFactorysOwnKeysAreTheKnownKeysOfItsEntry() throws Exception {
    Path file = file("""
        executors:
          - type: recording
            note: x
            sise: 3
        """);

    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown key 'executors[0].sise' in " + file + " line 4: did you mean 'size'? (known: type, label, "
            + "size, note)");
  }

  @Test
  void theUnknownTypeMessageListsEveryTypeOnTheClassPath() throws Exception {
    Path file = file("executors:\n  - type: cloud\n");

    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of()))
        .hasMessageContaining("unknown executor type 'cloud' (known: queue, recording, threads)");
  }

  @Test
  void aFactorysOwnCheckFailsWithTheEntrysPlace() throws Exception {
    Path file = file("""
        runId: r
        executors:
          - type: recording
            note: x
            size: 13
        """);

    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("executors[0] in " + file + " line 3 (type recording): size 13 is unlucky");
  }

  @Test
  void aFactoryThatReadsWhenBuildingFailsSayingSo() throws Exception {
    ShoalConfig config = ShoalConfig.load(file("""
        runDir: %s
        executors:
          - type: recording
            note: late-%s
        """.formatted(dir.resolve("runs"), note())), Map.of(), Map.of());

    assertThatThrownBy(() -> DataFlowKernel.builder().configure(config).build())
        .hasMessageContaining("could not be built")
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .rootCause().hasMessageContaining("reads its keys in read(), not in the supplier");
  }

  @Test
  void theThreadsTypeAndTheAppMappingRunThroughFromConfig() throws Exception {
    Path file = file("""
        runDir: %s
        executors:
          - type: threads
            label: first
            threads: 2
            threadNamePrefix: first-
          - type: threads
            label: second
            threads: 1
            threadNamePrefix: second-
        apps:
          config-test.other-thread-name: second
        """.formatted(dir.resolve("runs")));

    try (DataFlowKernel dfk = DataFlowKernel.fromConfig(file)) {
      assertThat(dfk.call(THREAD_NAME, 1L).get(30, SECONDS)).startsWith("first-");
      assertThat(dfk.call(OTHER_THREAD_NAME, 1L).get(30, SECONDS)).isEqualTo("second-1");
    }
  }

  @Test
  void codeAddsToWhatTheConfigurationSets() throws Exception {
    String note = note();
    ShoalConfig config = ShoalConfig.load(file("""
        runDir: %s
        retries: 1
        executors:
          - type: recording
            note: %s
        """.formatted(dir.resolve("runs"), note)), Map.of(), Map.of());

    try (DataFlowKernel dfk = DataFlowKernel.builder().configure(config)
        .executor(dev.shoal.executor.ThreadPoolTaskExecutor.builder().label("mine").threadNamePrefix("mine-").threads(1)
            .build())
        .mapApp("config-test.other-thread-name", "mine")
        .build()) {
      assertThat(dfk.call(THREAD_NAME, 1L).get(30, SECONDS)).as("the configuration's executor comes first")
          .isEqualTo(note + "-1");
      assertThat(dfk.call(OTHER_THREAD_NAME, 1L).get(30, SECONDS)).isEqualTo("mine-1");
    }
    assertThat(List.of(config.executorLabels())).containsExactly(List.of("recording"));
  }
}
