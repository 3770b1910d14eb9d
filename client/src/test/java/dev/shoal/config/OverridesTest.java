package dev.shoal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** System properties, then environment variables, then the file; and ${VAR} in the file's values. */
class OverridesTest {
  @TempDir Path dir;

  private Path file(String yaml) throws IOException {
    Path file = dir.resolve("shoal.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void aSystemPropertyBeatsTheEnvironmentWhichBeatsTheFile() throws Exception {
    Path file = file("""
        retries: 1
        runId: from-file
        checkpoint: file.checkpoint
        """);

    ShoalConfig both = ShoalConfig.load(file, Map.of("shoal.retries", "3"), Map.of("SHOAL_RETRIES", "2",
        "SHOAL_RUNID", "from-env"));
    assertThat(both.retries()).isEqualTo(OptionalInt.of(3));
    assertThat(both.runId()).contains("from-env");
    assertThat(both.checkpoint()).contains(Path.of("file.checkpoint"));

    ShoalConfig none = ShoalConfig.load(file, Map.of(), Map.of());
    assertThat(none.retries()).isEqualTo(OptionalInt.of(1));
    assertThat(none.runId()).contains("from-file");
  }

  @Test
  void aKeyInAListIsOverriddenByItsIndex() throws Exception {
    Path file = file("""
        executors:
          - type: threads
            label: a
          - type: threads
            label: b
        apps:
          pi.sample: a
        """);

    ShoalConfig config = ShoalConfig.load(file, Map.of("shoal.executors.1.label", "big"),
        Map.of("SHOAL_EXECUTORS_0_LABEL", "small", "SHOAL_APPS_PI_SAMPLE", "big"));

    assertThat(config.executorLabels()).containsExactly("small", "big");
    assertThat(config.apps()).containsExactly(Map.entry("pi.sample", "big"));
  }

  @Test
  void anOverrideSetsAKeyTheFileLeavesOut() throws Exception {
    ShoalConfig config = ShoalConfig.load(file("runId: r\n"), Map.of("shoal.shutdownMode", "cancel"),
        Map.of("SHOAL_RETRIES", "4"));

    assertThat(config.retries()).isEqualTo(OptionalInt.of(4));
    assertThat(config.shutdownMode()).contains(dev.shoal.ShutdownMode.CANCEL);
  }

  @Test
  void aSystemPropertyAddsAnEntryToAFreeFormMapping() throws Exception {
    ShoalConfig config = ShoalConfig.load(file("apps:\n  a: threads\n"), Map.of("shoal.apps.pi.sample", "threads"),
        Map.of());

    assertThat(config.apps()).containsExactly(Map.entry("a", "threads"), Map.entry("pi.sample", "threads"));
  }

  @Test
  void aListKeyIsOverriddenByCommaSeparatedItems() throws Exception {
    ShoalConfig config = ShoalConfig.load(file("retryOn: [java.io.IOException]\n"), Map.of(),
        Map.of("SHOAL_RETRYON", "java.lang.ArithmeticException, java.lang.IllegalStateException"));

    assertThat(config.retryPolicy()).hasValueSatisfying(policy -> {
      assertThat(policy.shouldRetry(new IllegalStateException(), 1)).isTrue();
      assertThat(policy.shouldRetry(new java.io.IOException(), 1)).as("the file's list is replaced").isFalse();
    });
  }

  @Test
  void aBadOverrideNamesThePropertyOrTheVariableInsteadOfALine() throws Exception {
    Path file = file("retries: 1\n");

    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of("shoal.retries", "-1"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("bad value for 'retries' in system property shoal.retries: must be 0 or more, not -1");
    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of("SHOAL_RETRIES", "lots")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("bad value for 'retries' in environment variable SHOAL_RETRIES: 'lots' is not a whole number");
  }

  @Test
  void anEmptyVariableCountsAsUnset() throws Exception {
    ShoalConfig config = ShoalConfig.load(file("retries: 1\n"), Map.of(), Map.of("SHOAL_RETRIES", ""));

    assertThat(config.retries()).isEqualTo(OptionalInt.of(1));
  }

  @Test
  void variablesAreSubstitutedInTheFilesValues() throws Exception {
    Path file = file("""
        runId: ${RUN}-${SHIFT:-day}
        runDir: ${HOME_DIR}/runs
        checkpoint: cost-$${not-a-variable}
        """);

    ShoalConfig config = ShoalConfig.load(file, Map.of(), Map.of("RUN", "nightly", "HOME_DIR", "/data"));

    assertThat(config.runId()).contains("nightly-day");
    assertThat(config.runDir()).contains(Path.of("/data/runs"));
    assertThat(config.checkpoint()).contains(Path.of("cost-${not-a-variable}"));
    assertThat(ShoalConfig.load(file, Map.of(), Map.of("RUN", "r", "SHIFT", "night", "HOME_DIR", "/d")).runId())
        .contains("r-night");
  }

  @Test
  void aVariableThatIsNotSetFailsNamingItTheKeyAndTheLine() throws Exception {
    Path file = file("""
        retries: 1
        runDir: ${DATA_DIR}/runs
        """);

    assertThatThrownBy(() -> ShoalConfig.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("bad value for 'runDir' in " + file + " line 2: environment variable DATA_DIR is not set (write "
            + "${DATA_DIR:-default} to give a default)");
    Path unclosed = file("runDir: ${DATA_DIR\n");
    assertThatThrownBy(() -> ShoalConfig.load(unclosed, Map.of(), Map.of("DATA_DIR", "x")))
        .hasMessageContaining("line 1: '${' is not closed by '}'");
  }

  @Test
  void theFileIsFoundByPropertyThenVariableThenInTheWorkingDirectory() throws Exception {
    Path byProperty = dir.resolve("a.yaml");
    Files.writeString(byProperty, "runId: by-property\n");
    Path byVariable = dir.resolve("b.yaml");
    Files.writeString(byVariable, "runId: by-variable\n");
    Files.writeString(dir.resolve("shoal.yaml"), "runId: in-working-dir\n");

    assertThat(ShoalConfig.locate(Map.of("shoal.config", byProperty.toString()),
        Map.of("SHOAL_CONFIG", byVariable.toString()), dir).runId()).contains("by-property");
    assertThat(ShoalConfig.locate(Map.of(), Map.of("SHOAL_CONFIG", byVariable.toString()), dir).runId())
        .contains("by-variable");
    assertThat(ShoalConfig.locate(Map.of(), Map.of(), dir).runId()).contains("in-working-dir");
    assertThat(ShoalConfig.locate(Map.of(), Map.of(), dir).file()).contains(dir.resolve("shoal.yaml"));
  }

  @Test
  void withoutAFileTheDefaultsStillTakeOverrides() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));

    ShoalConfig config = ShoalConfig.locate(Map.of(), Map.of("SHOAL_RETRIES", "2"), empty);

    assertThat(config.file()).isEmpty();
    assertThat(config.executorLabels()).isEmpty();
    assertThat(config.retries()).isEqualTo(OptionalInt.of(2));
  }

  @Test
  void aNamedFileThatIsMissingFailsRatherThanFallingBackToTheDefaults() {
    Path missing = dir.resolve("missing.yaml");

    assertThatThrownBy(() -> ShoalConfig.locate(Map.of("shoal.config", missing.toString()), Map.of(), dir))
        .isInstanceOf(ConfigException.class).hasMessageContaining(missing + " does not exist");
  }
}
