package dev.shoal.internal.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.app.App0;
import dev.shoal.app.App1;
import dev.shoal.app.App2;
import dev.shoal.app.Apps;
import dev.shoal.command.Command;
import dev.shoal.command.CommandResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class AppInvokerTest {
  @TempDir Path taskDir;

  @Test
  void runsAJavaBody() throws Exception {
    App2<Long, Long, Long> add = Apps.define("invoker.add").java(Long.class, Long.class, Long.class, Long::sum);
    assertThat(AppInvoker.run(add.definition(), 1, new Object[] {2L, 3L}, taskDir)).isEqualTo(5L);
  }

  @Test
  void javaBodiesThrowTheirOwnExceptions() {
    App0<Long> failing = Apps.define("invoker.failing").java(Long.class, () -> {
      throw new java.io.IOException("no disk");
    });
    assertThatThrownBy(() -> AppInvoker.run(failing.definition(), 1, new Object[0], taskDir))
        .isExactlyInstanceOf(java.io.IOException.class)
        .hasMessage("no disk");
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void runsACommandInTheTaskDirectory() throws Exception {
    App1<String, CommandResult> echo = Apps.define("invoker.echo").command(String.class, w -> Command.of("echo", w));
    Object result = AppInvoker.run(echo.definition(), 1, new Object[] {"hi"}, taskDir.resolve("t1"));
    assertThat(result).isInstanceOf(CommandResult.class);
    CommandResult commandResult = (CommandResult) result;
    assertThat(commandResult.stdout()).isEqualTo("hi\n");
    assertThat(commandResult.workDir()).isEqualTo(taskDir.resolve("t1").toString());
  }

  @Test
  void aCommandAppThatBuildsNoCommandFailsClearly() {
    App0<CommandResult> broken = Apps.define("invoker.broken").command(() -> null);
    assertThatThrownBy(() -> AppInvoker.run(broken.definition(), 1, new Object[0], taskDir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("invoker.broken")
        .hasMessageContaining("built null instead of a Command");
  }
}
