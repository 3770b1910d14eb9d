package dev.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.cli.CliRun.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The completion script: written by the build, printed by shoal completion, the same, naming every command. */
class CompletionTest {
  private static Path built() {
    String path = System.getProperty("shoal.completion");
    assertThat(path).as("the build passes the script's path (cli/pom.xml)").isNotBlank();
    return Path.of(path);
  }

  @Test
  void theBuildWroteAScriptThatCompletesEveryCommandAndOption() throws Exception {
    Path script = built();

    assertThat(script).isRegularFile();
    String text = Files.readString(script, StandardCharsets.UTF_8);
    assertThat(text).startsWith("#!/usr/bin/env bash")
        .contains("complete -F _complete_shoal", "bashcompinit")
        .contains("worker", "dispatch", "status", "dlq", "completion")
        .contains("list", "show", "redrive", "purge")
        .contains("--transport", "--queue", "--cloud", "--loop", "--every", "--yes", "--json")
        // --transport's candidates.
        .contains("(\"sqs\" \"servicebus\")");
  }

  @Test
  void shoalCompletionPrintsTheBuiltScript() throws Exception {
    Result result = CliRun.shoal().run("completion");

    assertThat(result.exit()).isZero();
    assertThat(result.out()).isEqualTo(Files.readString(built(), StandardCharsets.UTF_8));
  }
}
