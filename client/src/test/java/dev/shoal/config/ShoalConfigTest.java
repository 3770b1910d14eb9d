package dev.shoal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.ShutdownMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading shoal.yaml: the kernel's keys, and errors that name the key, the file and the line. */
class ShoalConfigTest {
  @TempDir Path dir;

  private Path file(String yaml) throws IOException {
    Path file = dir.resolve("shoal.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private ShoalConfig load(String yaml) throws IOException {
    return ShoalConfig.load(file(yaml), Map.of(), Map.of());
  }

  private String failure(String yaml) throws IOException {
    Path file = file(yaml);
    return assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .actual().getMessage();
  }

  @Test
  void theKernelsKeysAreRead() throws Exception {
    ShoalConfig config = load("""
        # every kernel key
        runDir: out/runs
        runId: nightly-7
        retries: 2
        retryOn: [java.io.IOException, java.util.concurrent.TimeoutException]
        shutdownMode: cancel
        checkpoint: out/pi.checkpoint
        executors:
          - type: threads
            label: big
            threads: 3
          - type: threads
        apps:
          pi.sample: big
        monitoring:
          database: off
          progress: off
        """);

    assertThat(config.runDir()).contains(Path.of("out/runs"));
    assertThat(config.runId()).contains("nightly-7");
    assertThat(config.retries()).isEqualTo(OptionalInt.of(2));
    assertThat(config.shutdownMode()).contains(ShutdownMode.CANCEL);
    assertThat(config.checkpoint()).contains(Path.of("out/pi.checkpoint"));
    assertThat(config.executorLabels()).containsExactly("big", "threads");
    assertThat(config.apps()).containsExactly(Map.entry("pi.sample", "big"));
    assertThat(config.monitoring()).isEqualTo(new MonitoringConfig(MonitoringConfig.Database.OFF, OptionalInt.empty(),
        "off"));
    assertThat(config.retryPolicy()).hasValueSatisfying(policy -> {
      assertThat(policy.shouldRetry(new java.nio.file.NoSuchFileException("x"), 1)).as("an IOException").isTrue();
      assertThat(policy.shouldRetry(new IllegalStateException("x"), 1)).isFalse();
    });
  }

  @Test
  void anEmptyFileIsTheDefaults() throws Exception {
    ShoalConfig config = load("# nothing yet\n");

    assertThat(config.executorLabels()).isEmpty();
    assertThat(config.runDir()).isEmpty();
    assertThat(config.retryPolicy()).isEmpty();
    assertThat(config.monitoring()).isEqualTo(MonitoringConfig.defaults());
  }

  @Test
  void monitoringIsSetByPropertiesAndVariablesWhenTheFileHasNoSuchSection() throws Exception {
    Path file = file("runDir: out\n");
    ShoalConfig config = ShoalConfig.load(file, Map.of("shoal.monitoring.progress", "off"),
        Map.of("SHOAL_MONITORING_DATABASE", "off"));
    assertThat(config.monitoring()).isEqualTo(new MonitoringConfig(MonitoringConfig.Database.OFF, OptionalInt.empty(),
        "off"));
    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of("shoal.monitoring.progress", "loud"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'monitoring.progress'")
        .hasMessageContaining("system property shoal.monitoring.progress");
  }

  @Test
  void monitoringAskedForWithoutShoalMonitorOnTheClassPathFailsAtStart() throws Exception {
    // The defaults need nothing: without shoal-monitor a run simply goes unwatched.
    assertThat(load("monitoring:\n  progress: auto\n").monitoring().asksExplicitly()).isFalse();
    assertThat(failure("monitoring:\n  database: out/monitoring.db\n"))
        .startsWith("bad value for 'monitoring.database' in ").contains("shoal.yaml line 2")
        .contains("needs shoal-monitor (dev.shoal:shoal-monitor) on the class path");
    assertThat(failure("monitoring:\n  progress: off\n  prometheus: 9464\n"))
        .startsWith("bad value for 'monitoring.prometheus' in ").contains("line 3");
    assertThat(failure("monitoring:\n  progress: log\n")).startsWith("bad value for 'monitoring.progress' in ");
  }

  @Test
  void anUnknownTopLevelKeyIsNamedWithItsLineAndTheClosestKnownKey() throws Exception {
    String message = failure("""
        runDir: out
        retires: 2
        """);

    assertThat(message).startsWith("unknown key 'retires' in " + dir.resolve("shoal.yaml") + " line 2: did you mean "
        + "'retries'?").contains("known: runDir, runId, retries, retryOn, shutdownMode, checkpoint, executors");
  }

  @Test
  void anUnknownKeyInAListEntryIsNamedByItsIndexAndLine() throws Exception {
    String message = failure("""
        executors:
          - type: threads
            label: one
          - type: threads
            label: two
            thread: 4
        """);

    assertThat(message).startsWith("unknown key 'executors[1].thread' in ").contains("shoal.yaml line 6")
        .contains("did you mean 'threads'?").contains("(known: type, label, threads, threadNamePrefix)");
  }

  @Test
  void anUnknownKeyInANestedSectionIsNamedByItsPath() throws Exception {
    String message = failure("""
        monitoring:
          progress: off

          prometeus: 9090
        """);

    assertThat(message).startsWith("unknown key 'monitoring.prometeus' in ").contains("shoal.yaml line 4")
        .contains("did you mean 'prometheus'?");
  }

  @Test
  void everyUnknownKeyIsListedNotOnlyTheFirst() throws Exception {
    String message = failure("""
        runDri: out
        executors:
          - type: threads
            colour: blue
        """);

    assertThat(message).contains("'runDri' in").contains("line 1").contains("'executors[0].colour' in")
        .contains("line 4");
  }

  @Test
  void aValueThatIsNotANumberNamesTheKeyFileAndLine() throws Exception {
    assertThat(failure("""
        runId: r1
        retries: twice
        """)).isEqualTo("bad value for 'retries' in " + dir.resolve("shoal.yaml") + " line 2: 'twice' is not a whole number");
  }

  @Test
  void aNegativeCountIsRefused() throws Exception {
    assertThat(failure("""
        executors:
          - type: threads
            threads: -2
        """)).startsWith("bad value for 'executors[0].threads' in ").endsWith("line 3: must be 1 or more, not -2");
  }

  @Test
  void aBadChoiceListsTheChoices() throws Exception {
    assertThat(failure("shutdownMode: wiat\n")).endsWith("line 1: 'wiat' is not one of wait, cancel (did you mean 'wait'?)");
  }

  @Test
  void anUnknownExecutorTypeListsTheKnownOnesAndTheModuleAMissingOneComesWith() throws Exception {
    assertThat(failure("""
        executors:
          - type: thread
        """)).contains("'executors[0].type' in").contains("line 2: unknown executor type 'thread': did you mean 'threads'?")
        .contains("known: ").contains("queue").contains("threads");
    // The client's tests have no shoal-embedded on their class path.
    assertThat(failure("""
        executors:
          - type: local
        """)).contains("type local comes with shoal-embedded, which is not on the class path");
  }

  @Test
  void aMissingRequiredKeyNamesTheEntryAndAMisspeltNeighbour() throws Exception {
    assertThat(failure("""
        executors:
          - label: a
            tpye: threads
        """)).isEqualTo("missing key 'executors[0].type' in " + dir.resolve("shoal.yaml") + " line 2 ('tpye' on line 3 "
        + "looks like a misspelling of it)");
  }

  @Test
  void aValueOfTheWrongShapeSaysWhatWasFound() throws Exception {
    assertThat(failure("retries: [1, 2]\n")).endsWith("line 1: expected a single value, found a list");
    assertThat(failure("executors:\n  type: threads\n")).contains("'executors'")
        .endsWith("line 2: expected a list of mappings (lines starting with '- '), found a mapping");
    assertThat(failure("executors:\n  - threads\n")).contains("'executors[0]'").endsWith("line 2: expected a mapping "
        + "(key: value lines), found a value");
  }

  @Test
  void anAppMappedToAnExecutorThatIsNotThereIsNamed() throws Exception {
    assertThat(failure("""
        executors:
          - type: threads
            label: cloud
        apps:
          pi.sample: clod
        """)).isEqualTo("bad value for 'apps.pi.sample' in " + dir.resolve("shoal.yaml") + " line 5: app pi.sample is "
        + "mapped to executor 'clod', but the executors are [cloud] (did you mean 'cloud'?)");
  }

  @Test
  void twoExecutorsWithOneLabelAreRefused() throws Exception {
    assertThat(failure("""
        executors:
          - type: threads
          - type: threads
        """)).contains("'executors[1].type'").contains("line 3").contains("two executors are labelled 'threads' "
        + "(the other is executors[0])");
  }

  @Test
  void aRetryOnClassThatDoesNotExistIsNamed() throws Exception {
    assertThat(failure("retryOn: [java.io.IOExceptio]\n")).endsWith("line 1: no class java.io.IOExceptio on the class "
        + "path (give exception classes by their full name, such as java.io.IOException)");
    assertThat(failure("retryOn: java.lang.String\n")).endsWith("java.lang.String is not an exception class");
  }

  @Test
  void aRunIdMustFitAQueueName() throws Exception {
    assertThat(failure("runId: my run\n")).contains("'runId'").contains("line 1").contains("is not a run id");
  }

  @Test
  void aPortOutOfRangeIsRefused() throws Exception {
    assertThat(failure("monitoring:\n  prometheus: 70000\n")).contains("'monitoring.prometheus'")
        .endsWith("line 2: a port is 1 to 65535, not 70000");
  }

  @Test
  void aKeyGivenTwiceIsRefusedWithBothLines() throws Exception {
    assertThat(failure("retries: 1\nrunDir: x\nretries: 2\n")).endsWith("line 3: key 'retries' appears twice (first "
        + "on line 1)");
  }

  @Test
  void aFileThatIsNotYamlSaysWhere() throws Exception {
    assertThat(failure("executors:\n  - type: threads\n    label: [a,\n")).contains("shoal.yaml line")
        .contains("is not valid YAML");
  }

  @Test
  void aYamlAliasIsRefusedRatherThanReadAsItsName() throws Exception {
    assertThat(failure("runDir: &d out\ncheckpoint: *d\n")).contains("line 2").contains("'checkpoint' is a YAML alias");
  }

  @Test
  void aSecondDocumentIsRefused() throws Exception {
    assertThat(failure("retries: 1\n---\nretries: 2\n")).contains("line 3").contains("holds one YAML document");
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ShoalConfig.load(missing, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessage("configuration file " + missing + " does not exist");
  }
}
