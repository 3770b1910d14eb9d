package dev.shoal.embedded;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.DataFlowKernel;
import dev.shoal.config.ConfigException;
import dev.shoal.config.ShoalConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code type: local}: the builder's options from a configuration, and the cluster built when the kernel starts. */
class LocalClusterFactoryTest {
  @TempDir Path dir;

  private Path file(String yaml) throws IOException {
    Path file = dir.resolve("shoal.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void aConfiguredClusterRunsTasksOnItsWorkerJvmsWithTheirConfiguredEnvironment() throws Exception {
    Path logs = dir.resolve("worker-logs");
    ShoalConfig config = ShoalConfig.load(file("""
        runDir: %s
        executors:
          - type: local
            label: here
            workers: 1
            slotsPerWorker: 2
            inProcessBurst: off       # so that only the worker JVM can run the tasks
            logDir: %s
            payloadStore: none
            taskQueue: config-tasks
            taskTimeout: 2m
            workerJvmArgs: [-Xmx256m, -XX:+UseSerialGC]
            workerEnvironment:
              CONFIG_TEST_VAR: from-file
        """.formatted(dir.resolve("runs"), logs)), Map.of(),
        Map.of("SHOAL_EXECUTORS_0_WORKERENVIRONMENT_CONFIG_TEST_VAR", "from-override"));

    assertThat(config.executorLabels()).containsExactly("here");
    try (DataFlowKernel dfk = DataFlowKernel.builder().configure(config).build()) {
      assertThat(dfk.call(EndToEndApps.ENV, "CONFIG_TEST_VAR").get(120, SECONDS)).isEqualTo("from-override");
      assertThat(dfk.call(EndToEndApps.SLEEP_THEN_PID, 0L).get(60, SECONDS)).as("run by a worker JVM")
          .isNotEqualTo(ProcessHandle.current().pid());
    }
    try (Stream<Path> files = Files.list(logs)) {
      assertThat(files.map(path -> path.getFileName().toString())).as("the workers log where logDir says")
          .anyMatch(name -> name.endsWith(".log"));
    }
  }

  @Test
  void theLocalTypeIsFoundBesideTheClientsOwn() throws Exception {
    Path file = file("executors:\n  - type: lokal\n");

    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of()))
        .hasMessageContaining("unknown executor type 'lokal': did you mean 'local'? (known: local, queue, threads)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "workers: 2\\n    maxWorkers: 4         | bad value for 'executors[0].workers' | line 3: workers is a fixed pool's size, and maxWorkers makes the pool autoscale",
      "minWorkers: 1                          | bad value for 'executors[0].minWorkers' | line 3: minWorkers is for autoscaling: set maxWorkers too",
      "maxWorkers: 2\\n    minWorkers: 3         | bad value for 'executors[0].minWorkers' | line 4: minWorkers 3 is more than maxWorkers 2",
      "maxWorkers: 0                          | bad value for 'executors[0].maxWorkers' | line 3: must be 1 or more, not 0",
      "workerIdleTimeout: soon                | bad value for 'executors[0].workerIdleTimeout' | line 3: 'soon' is not a duration",
      "inProcessBurst: maybe                  | bad value for 'executors[0].inProcessBurst' | line 3: 'maybe' is not true or false",
      "vmQueue: shoal-tasks                   | bad value for 'executors[0].vmQueue' | line 3: the VM-only queue must be another queue",
      "queueService:\\n      transport: sqq     | bad value for 'executors[0].queueService.transport' | line 4: no transport named 'sqq' on the class path (known: ",
      "signing: off\\n    signingKeyEnv: HOME  | bad value for 'executors[0].signingKeyEnv' | line 4: signing is off",
      "maxWorker: 3                           | unknown key 'executors[0].maxWorker' | line 3: did you mean 'maxWorkers'?",
      "queueService:\\n      transprt: sqs      | missing key 'executors[0].queueService.transport' | line 4 ('transprt' on line 4 looks like a misspelling of it)",
  })
  void aBadOptionNamesItsKeyAndLine(String lines, String start, String rest) throws Exception {
    Path file = file("executors:\n  - type: local\n    " + lines.strip().replace("\\n", "\n") + "\n");

    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of("HOME", "/home/someone-with-a-long-name")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(start + " in " + file)
        .hasMessageContaining(rest.strip());
  }
}
