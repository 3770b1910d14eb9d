package dev.shoal.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandTest {

  @Test
  void ofKeepsTheArgumentsAsGiven() {
    Command command = Command.of("echo", "a b", "$HOME");
    assertThat(command.argv()).containsExactly("echo", "a b", "$HOME");
    assertThat(command.env()).isEmpty();
    assertThat(command.walltime()).isNull();
  }

  @Test
  void shellRunsALineWithBinSh() {
    assertThat(Command.shell("echo hi | wc -c").argv()).containsExactly("/bin/sh", "-c", "echo hi | wc -c");
  }

  @Test
  void isImmutable() {
    List<String> argv = new ArrayList<>(List.of("echo", "x"));
    Map<String, String> env = new HashMap<>(Map.of("A", "1"));
    Command command = new Command(argv, env, null);
    argv.add("y");
    env.put("B", "2");
    assertThat(command.argv()).containsExactly("echo", "x");
    assertThat(command.env()).containsOnlyKeys("A");
  }

  @Test
  void withersReturnNewCommands() {
    Command base = Command.of("true");
    Command configured = base.withEnv(Map.of("K", "V")).withWalltime(Duration.ofSeconds(3));
    assertThat(configured.env()).containsEntry("K", "V");
    assertThat(configured.walltime()).isEqualTo(Duration.ofSeconds(3));
    assertThat(base.env()).isEmpty();
    assertThat(base.walltime()).isNull();
    assertThat(new Command(List.of("true"), null, null).env()).isEmpty();
  }

  @Test
  void refusesInvalidCommands() {
    assertThatThrownBy(() -> Command.of()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("program");
    assertThatThrownBy(() -> Command.of("x").withWalltime(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Command.shell(null)).isInstanceOf(NullPointerException.class);
  }
}
