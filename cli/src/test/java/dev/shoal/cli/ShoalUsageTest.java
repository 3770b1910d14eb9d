package dev.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.cli.CliRun.Result;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command tree as a user meets it: help, version, and usage errors (exit 2, saying what is wrong). */
class ShoalUsageTest {
  private final CliRun shoal = CliRun.shoal();

  @Test
  void helpListsEveryCommandAndTheExitStatuses() {
    Result result = shoal.run("--help");

    assertThat(result.exit()).as("%s", result).isZero();
    assertThat(result.out()).contains("Usage: shoal", "run", "worker", "dispatch", "status", "dlq", "report", "dashboard",
        "completion",
        "Exit status:", "2   usage error");
  }

  @Test
  void versionSaysTheBuildsVersion() {
    Result result = shoal.run("--version");

    assertThat(result.exit()).isZero();
    assertThat(result.out()).containsPattern("shoal \\d+\\.\\d+\\.\\d+").contains("Java ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"run", "worker", "dispatch", "status", "dlq", "dlq list", "dlq show", "dlq redrive",
      "dlq purge", "report", "dashboard", "completion"})
  void everyCommandHasHelpAndVersion(String command) {
    List<String> words = List.of(command.split(" "));
    String[] help = java.util.stream.Stream.concat(words.stream(), java.util.stream.Stream.of("--help"))
        .toArray(String[]::new);
    String[] version = java.util.stream.Stream.concat(words.stream(), java.util.stream.Stream.of("--version"))
        .toArray(String[]::new);

    Result helped = shoal.run(help);
    Result versioned = shoal.run(version);

    assertThat(helped.exit()).as("%s", helped).isZero();
    assertThat(helped.out()).contains("Usage: shoal " + command);
    assertThat(versioned.exit()).as("%s", versioned).isZero();
    assertThat(versioned.out()).startsWith("shoal ");
  }

  @Test
  void noCommandIsAUsageError() {
    Result result = shoal.run();

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("a command is required").contains("Usage: shoal");
  }

  @Test
  void anUnknownCommandOrOptionIsAUsageError() {
    Result command = shoal.run("frobnicate");
    Result option = shoal.run("status", "--frobnicate");

    assertThat(command.exit()).isEqualTo(2);
    assertThat(command.err()).contains("frobnicate");
    assertThat(option.exit()).isEqualTo(2);
    assertThat(option.err()).contains("Unknown option: '--frobnicate'");
  }

  @Test
  void dlqWithoutASubcommandIsAUsageError() {
    Result result = shoal.run("dlq");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("a dlq command is required");
  }

  @Test
  void redriveNeedsIdsOrAllButNotBoth() {
    Result neither = shoal.run("dlq", "redrive");
    Result both = shoal.run("dlq", "redrive", "--all", "some-id");

    assertThat(neither.exit()).isEqualTo(2);
    assertThat(neither.err()).contains("give the dead letters' ids, or --all");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("not both");
  }

  @Test
  void listNeedsAPositiveMax() {
    Result zero = shoal.run("dlq", "list", "--max", "0");
    Result word = shoal.run("dlq", "list", "--max", "many");

    assertThat(zero.exit()).isEqualTo(2);
    assertThat(zero.err()).contains("--max must be at least 1");
    assertThat(word.exit()).isEqualTo(2);
    assertThat(word.err()).contains("'many' is not an int");
  }

  @Test
  void showNeedsAnId() {
    Result result = shoal.run("dlq", "show");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("Missing required parameter: 'ID'");
  }

  @Test
  void anUnknownTransportIsAUsageError() {
    Result result = shoal.run("status", "--transport", "carrier-pigeon");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("no transport named 'carrier-pigeon'").contains("known: sqs, servicebus");
  }

  @Test
  void dispatchNeedsACloudAndItsLoopOptionsNeedLoop() {
    Result noCloud = shoal.run("dispatch");
    Result badCloud = shoal.run("dispatch", "--cloud", "gcp");
    Result everyAlone = shoal.run("dispatch", "--cloud", "aws", "--every", "10s");
    Result badSpan = shoal.run("dispatch", "--cloud", "aws", "--loop", "--every", "soon");

    assertThat(noCloud.exit()).isEqualTo(2);
    assertThat(noCloud.err()).contains("--cloud aws|azure is required");
    assertThat(badCloud.exit()).isEqualTo(2);
    assertThat(badCloud.err()).contains("gcp");
    assertThat(everyAlone.exit()).isEqualTo(2);
    assertThat(everyAlone.err()).contains("--every and --steps go with --loop");
    assertThat(badSpan.exit()).isEqualTo(2);
    assertThat(badSpan.err()).contains("'soon' is not a time span");
  }

  @Test
  void dispatchSettingsThatAreMissingAreAUsageErrorNamingThem() {
    Result aws = shoal.run("dispatch", "--cloud", "aws");
    Result azure = shoal.run("dispatch", "--cloud", "azure", "--setting", "SHOAL_TASK_QUEUE=shoal-tasks");

    assertThat(aws.exit()).as("%s", aws).isEqualTo(2);
    assertThat(aws.err()).contains("SHOAL_TASK_QUEUE_URL", "SHOAL_POOL", "SHOAL_LAUNCH_TEMPLATE_ID",
        "SHOAL_WORKER_JAR_URL");
    assertThat(azure.exit()).as("%s", azure).isEqualTo(2);
    assertThat(azure.err()).contains("SHOAL_SCALE_SET_ID", "SHOAL_TRANSPORT_SETTING_").doesNotContain(
        "SHOAL_TASK_QUEUE ");
  }

  @Test
  void theCloudCanComeFromTheEnvironment() {
    Result result = shoal.env(java.util.Map.of("SHOAL_CLOUD", "aws")).run("dispatch");

    // Past the cloud: now it is the Lambda's settings that are missing.
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("SHOAL_TASK_QUEUE_URL");
  }

  @Test
  void statusWithACloudTakesNoTransport() {
    Result result = shoal.run("status", "--cloud", "aws", "--transport", "sqs");
    Result orphan = shoal.run("status", "--cloud-setting", "SHOAL_POOL=x");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("with --cloud the transport is the cloud's");
    assertThat(orphan.exit()).isEqualTo(2);
    assertThat(orphan.err()).contains("go with --cloud");
  }
}
