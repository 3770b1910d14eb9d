package dev.shoal.executor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.DataFlowKernel;
import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import dev.shoal.config.ConfigException;
import dev.shoal.config.ShoalConfig;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.QueueOptions;
import dev.shoal.testing.InMemoryTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code type: queue}: a queue executor over the transport the configuration names, owned by it. */
class QueueExecutorFromConfigTest {
  static final App1<Long, Long> TRIPLE = Apps.define("queue-config.triple").java(Long.class, Long.class, x -> 3 * x);
  private static final String KEY = "a signing key of thirty-two bytes";

  @TempDir Path dir;
  private final String name = "memory-" + UUID.randomUUID();
  private final InMemoryTransport memory = new InMemoryTransport();
  private final WireCodec codec = new WireCodec(JsonCodec.create());

  @AfterEach
  void stop() {
    memory.close();
  }

  private Path file(String yaml) throws IOException {
    Path file = dir.resolve("shoal.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void tasksGoThroughTheNamedTransportSignedWithTheKeyTheVariableHolds() throws Exception {
    MemoryTransportProvider.register(name, memory);
    String tasks = memory.createQueue("config-tasks", QueueOptions.defaults().withVisibilityTimeout(Duration.ofSeconds(1)))
        .join();
    ShoalConfig config = ShoalConfig.load(file("""
        runDir: %s
        executors:
          - type: queue
            label: cloud
            transport: memory
            settings:
              name: %s
            taskQueue: config-tasks
            signingKeyEnv: MY_SIGNING_KEY
            maxTasksPerMessage: 1
            taskTimeout: 30s
        """.formatted(dir.resolve("runs"), name)), Map.of(), Map.of("MY_SIGNING_KEY", KEY));
    EnvelopeSigner signer = new EnvelopeSigner(KEY.getBytes(StandardCharsets.UTF_8), codec);

    // The scripted worker runs only tasks signed with the key, and signs its results with it.
    try (ScriptedWorker worker = new ScriptedWorker(memory, tasks, codec, signer,
        task -> codec.json().toTree(3 * task.args().get(0).asLong()))) {
      try (DataFlowKernel dfk = DataFlowKernel.builder().configure(config).build()) {
        assertThat(dfk.call(TRIPLE, 5L).get(30, SECONDS)).isEqualTo(15L);
        assertThat(dfk.call(TRIPLE, 7L).get(30, SECONDS)).isEqualTo(21L);
        assertThat(MemoryTransportProvider.closed(name)).isFalse();
      }
    }
    assertThat(MemoryTransportProvider.closed(name)).as("the executor's transport closes with it").isTrue();
  }

  @Test
  void aTransportThatIsNotOnTheClassPathIsNamedWithTheKnownOnes() throws Exception {
    Path file = file("""
        executors:
          - type: queue
            transport: memroy
        """);

    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("bad value for 'executors[0].transport' in " + file + " line 3: no transport named 'memroy' on the "
            + "class path (known: memory)");
  }

  @Test
  void aMissingTransportIsNamed() throws Exception {
    Path file = file("executors:\n  - type: queue\n    taskQueue: q\n");

    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of()))
        .hasMessage("missing key 'executors[0].transport' in " + file + " line 2");
  }

  @Test
  void aSigningKeyVariableThatIsUnsetOrShortIsRefused() throws Exception {
    Path file = file("""
        executors:
          - type: queue
            transport: memory
            signingKeyEnv: MY_SIGNING_KEY
        """);

    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of()))
        .hasMessage("bad value for 'executors[0].signingKeyEnv' in " + file + " line 4: it names environment variable "
            + "MY_SIGNING_KEY, which is not set");
    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of("MY_SIGNING_KEY", "short")))
        .hasMessageEndingWith("line 4: the variable holds 5 bytes, and a signing key needs at least 16");
  }

  @Test
  void theQueueExecutorsOwnSettingsAreChecked() throws Exception {
    Path file = file("""
        executors:
          - type: queue
            transport: memory
            taskTimeout: 0s
        """);
    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of()))
        .hasMessageEndingWith("line 4: must be more than 0");

    Path store = file("""
        executors:
          - type: queue
            transport: memory
            payloadStore: s4://bucket/payloads
        """);
    assertThatThrownBy(() -> ShoalConfig.load(store, Map.of(), Map.of()))
        .hasMessageContaining("'executors[0].payloadStore'")
        .hasMessageContaining("no payload store for 's4:' on the class path (known: file)");

    Path options = file("""
        executors:
          - type: queue
            transport: memory
            taskQueueOptions:
              visibilityTimeout: 30
        """);
    assertThatThrownBy(() -> ShoalConfig.load(options, Map.of(), Map.of()))
        .hasMessageStartingWith("bad value for 'executors[0].taskQueueOptions.visibilityTimeout' in ")
        .hasMessageContaining("line 5: '30' has no unit");
  }
}
