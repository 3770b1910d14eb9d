package dev.shoal.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.AppFuture;
import dev.shoal.Arg;
import dev.shoal.DataFlowKernel;
import dev.shoal.config.ConfigException;
import dev.shoal.config.ShoalConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample configurations of {@code examples/config/}: each parses, and the two that need no
 * account run the pi program through {@code configure(ShoalConfig)}, as {@code
 * DataFlowKernel.fromConfig} does, to the same answer.
 */
class ConfigSamplesTest {
  private static final Path SAMPLES = Path.of("config");
  /** What the cloud samples read from the environment: a stack's outputs. */
  private static final Map<String, String> AWS_OUTPUTS = Map.of(
      "AWS_REGION", "eu-west-1",
      "TASK_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/shoal-tasks",
      "VM_TASK_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/shoal-vm-tasks",
      "ARTIFACT_BUCKET", "shoal-artifacts-123");
  private static final Map<String, String> AZURE_OUTPUTS = Map.of(
      "SERVICEBUS_NAMESPACE", "shoal-xyz.servicebus.windows.net",
      "TASK_QUEUE_ADDRESS", "sb://shoal-xyz.servicebus.windows.net/shoal-tasks",
      "PAYLOAD_STORE_URI", "azblob://shoalxyz.blob.core.windows.net/payloads");

  @TempDir Path dir;

  private double pi(ShoalConfig config) throws Exception {
    try (DataFlowKernel dfk = DataFlowKernel.builder().configure(config).build()) {
      List<AppFuture<Long>> counts = new ArrayList<>();
      for (long seed = 0; seed < 12; seed++) {
        counts.add(dfk.call(PiApps.SAMPLE, 20_000L, seed));
      }
      return dfk.call(PiApps.ESTIMATE, Arg.all(counts), Arg.of(20_000L)).get(120, TimeUnit.SECONDS);
    }
  }

  /** The run's files in this test's folder, through the overrides any user has. */
  private Map<String, String> intoTestFolder(String... more) {
    Map<String, String> properties = new java.util.HashMap<>(Map.of(
        "shoal.runDir", dir.resolve("runs").toString(),
        "shoal.checkpoint", dir.resolve("pi.checkpoint").toString()));
    for (int i = 0; i < more.length; i += 2) {
      properties.put(more[i], more[i + 1]);
    }
    return properties;
  }

  @Test
  void everySampleParses() {
    assertThat(ShoalConfig.load(SAMPLES.resolve("threads.yaml"), Map.of(), Map.of()).executorLabels())
        .containsExactly("threads");
    assertThat(ShoalConfig.load(SAMPLES.resolve("local.yaml"), Map.of(), Map.of()).executorLabels())
        .containsExactly("local");
    assertThat(ShoalConfig.load(SAMPLES.resolve("sqs.yaml"), Map.of(), AWS_OUTPUTS).executorLabels())
        .containsExactly("cloud");
    assertThat(ShoalConfig.load(SAMPLES.resolve("servicebus.yaml"), Map.of(), AZURE_OUTPUTS).executorLabels())
        .containsExactly("azure");
  }

  @Test
  void aCloudSampleWithoutItsStacksOutputsSaysWhichIsMissing() {
    Path sqs = SAMPLES.resolve("sqs.yaml");

    assertThatThrownBy(() -> ShoalConfig.load(sqs, Map.of(), Map.of("AWS_REGION", "eu-west-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad value for 'executors[0].taskQueue' in " + sqs + " line ")
        .hasMessageContaining("environment variable TASK_QUEUE_URL is not set");
  }

  @Test
  void piOnTheLocalSampleEqualsPiOnTheThreadsSample() throws Exception {
    double onThreads = pi(ShoalConfig.load(SAMPLES.resolve("threads.yaml"), intoTestFolder(), Map.of()));
    // The in-process burst off, so that the worker JVMs run every task.
    double onWorkers = pi(ShoalConfig.load(SAMPLES.resolve("local.yaml"), intoTestFolder(
        "shoal.executors.0.logDir", dir.resolve("workers").toString(),
        "shoal.executors.0.payloadStore", dir.resolve("payloads").toString(),
        "shoal.executors.0.inProcessBurst", "off"), Map.of()));

    assertThat(onWorkers).isEqualTo(onThreads).isBetween(3.0, 3.3);
    try (java.util.stream.Stream<Path> logs = java.nio.file.Files.list(dir.resolve("workers"))) {
      assertThat(logs).as("worker JVMs logged where the override put them").isNotEmpty();
    }
  }

  @Test
  void theDemoTakesAConfigurationFile() {
    String printed = printedBy(() -> PiDemo.main(new String[] {"--tasks", "8", "--samples", "10000", "--config",
        SAMPLES.resolve("threads.yaml").toString()}));

    assertThat(printed).containsPattern("pi ~ 3\\.\\d+").contains("on executor 'threads'")
        .contains("tasks: 9 submitted, 9 succeeded, 0 failed");
    assertThatThrownBy(() -> PiDemo.main(new String[] {"--config", "x.yaml", "--workers", "3"}))
        .hasMessageContaining("--config FILE sets the executors: set [--workers] in the file");
  }

  private static String printedBy(Runnable program) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      program.run();
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
