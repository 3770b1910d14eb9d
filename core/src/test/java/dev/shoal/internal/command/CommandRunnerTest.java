package dev.shoal.internal.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.shoal.command.Command;
import dev.shoal.command.CommandFailedException;
import dev.shoal.command.CommandResult;
import dev.shoal.command.WalltimeExceededException;
import dev.shoal.testing.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@DisabledOnOs(OS.WINDOWS)
class CommandRunnerTest {
  @TempDir Path tempDir;

  @Test
  void capturesStdoutAndStderrInFilesOfTheWorkingDirectory() throws Exception {
    Path workDir = tempDir.resolve("a").resolve("b"); // created by the runner
    CommandResult result = CommandRunner.run(Command.shell("echo out; echo err >&2; pwd > where.txt"), workDir, null, "runner.test", 1);

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.workDir()).isEqualTo(workDir.toString());
    assertThat(Path.of(result.stdoutFile())).isEqualTo(workDir.resolve("stdout.txt")).hasContent("out");
    assertThat(Path.of(result.stderrFile())).isEqualTo(workDir.resolve("stderr.txt")).hasContent("err");
    assertThat(Path.of(Files.readString(workDir.resolve("where.txt")).trim()).toRealPath()).isEqualTo(workDir.toRealPath());
    assertThat(result.elapsed()).isPositive();
  }

  @Test
  void argumentsAreNotInterpretedByAShell() throws Exception {
    CommandResult result = CommandRunner.run(Command.of("echo", "$HOME", "a  b"), tempDir, null, "runner.test", 1);
    assertThat(result.stdout()).isEqualTo("$HOME a  b\n");
  }

  @Test
  void stdinIsEmpty() throws Exception {
    CommandResult result = CommandRunner.run(Command.shell("wc -c"), tempDir, Duration.ofSeconds(30), "runner.test", 1);
    assertThat(result.stdout().trim()).isEqualTo("0");
  }

  @Test
  void passesEnvironmentVariables() throws Exception {
    Command command = Command.shell("echo \"$SHOAL_TEST_VAR\"").withEnv(Map.of("SHOAL_TEST_VAR", "it works"));
    assertThat(CommandRunner.run(command, tempDir, null, "runner.test", 1).stdout()).isEqualTo("it works\n");
  }

  @Test
  void aNonZeroExitThrowsWithTheExitCodeAndStderrTail() {
    CommandFailedException failure = catchThrowableOfType(CommandFailedException.class,
        () -> CommandRunner.run(Command.shell("echo first >&2; echo second >&2; exit 42"), tempDir, null, "runner.test", 1));
    assertThat(failure.exitCode()).isEqualTo(42);
    assertThat(failure.stderrTail()).isEqualTo("first\nsecond\n");
    assertThat(failure.getMessage()).contains("'/bin/sh'").contains("exited with code 42").contains("second");
    assertThat(failure.getMessage()).startsWith("app runner.test (task 1): ");
    assertThat(failure.app()).isEqualTo("runner.test");
    assertThat(failure.taskId()).isEqualTo(1);
    assertThat(failure.command()).containsExactly("/bin/sh", "-c", "echo first >&2; echo second >&2; exit 42");
  }

  @Test
  void resultPathsAreAbsoluteEvenForARelativeWorkingDirectory() throws Exception {
    Path relative = Path.of("").toAbsolutePath().relativize(tempDir.resolve("relative"));
    assertThat(relative).isRelative();

    CommandResult result = CommandRunner.run(Command.shell("echo out"), relative, null, "runner.test", 1);

    assertThat(Path.of(result.workDir())).isAbsolute();
    assertThat(Path.of(result.workDir()).toRealPath()).isEqualTo(tempDir.resolve("relative").toRealPath());
    assertThat(Path.of(result.stdoutFile())).isAbsolute().hasContent("out");
    assertThat(Path.of(result.stderrFile())).isAbsolute().exists();
  }

  @Test
  void aSilentFailureSaysSo() {
    CommandFailedException failure = catchThrowableOfType(CommandFailedException.class,
        () -> CommandRunner.run(Command.of("false"), tempDir, null, "runner.test", 1));
    assertThat(failure.exitCode()).isEqualTo(1);
    assertThat(failure.getMessage()).contains("printed nothing on stderr");
  }

  @Test
  void aMissingProgramIsAnIOException() {
    assertThatThrownBy(() -> CommandRunner.run(Command.of("/no/such/program"), tempDir, null, "runner.test", 1))
        .isInstanceOf(IOException.class);
  }

  @Test
  void overTheWalltimeTheCommandAndItsChildrenAreKilled() throws Exception {
    Command command = Command.shell("echo $$ > shell.pid; sleep 10 & echo $! > child.pid; wait");

    WalltimeExceededException failure = catchThrowableOfType(WalltimeExceededException.class,
        () -> CommandRunner.run(command, tempDir, Duration.ofMillis(300), "runner.test", 1));

    assertThat(failure.walltime()).isEqualTo(Duration.ofMillis(300));
    assertThat(failure.getMessage()).contains("'/bin/sh'").contains("PT0.3S").startsWith("app runner.test (task 1): ");
    assertThat(failure.app()).isEqualTo("runner.test");
    assertThat(failure.command()).isEqualTo(command.argv());
    long shell = Long.parseLong(Files.readString(tempDir.resolve("shell.pid")).trim());
    long child = Long.parseLong(Files.readString(tempDir.resolve("child.pid")).trim());
    assertThat(ProcessHandle.of(shell).filter(ProcessHandle::isAlive)).as("the shell").isEmpty();
    // Gone or a zombie within a few seconds: it would live 10 s if not killed.
    Await.until(Duration.ofSeconds(5), () -> gone(child), () -> "the shell's child " + child + " to be killed");
  }

  @Test
  void overTheWalltimeADoubleForkedChildIsKilledToo() throws Exception {
    // The subshell exits at once, so its sleeper is no descendant of the command any more: only
    // its process group (the command's session) still ties it to the command.
    Command command = Command.shell("(sleep 100 & echo $! > orphan.pid.tmp; mv orphan.pid.tmp orphan.pid); exec sleep 100");

    catchThrowableOfType(WalltimeExceededException.class, () -> CommandRunner.run(command, tempDir, Duration.ofSeconds(2), "runner.test", 1));

    long orphan = Long.parseLong(Files.readString(tempDir.resolve("orphan.pid")).trim());
    Await.until(Duration.ofSeconds(10), () -> gone(orphan), () -> "the double-forked sleeper " + orphan + " to be killed");
  }

  @Test
  void interruptingTheCallerKillsADoubleForkedChildToo() throws Exception {
    Path pidFile = tempDir.resolve("orphan.pid");
    Thread caller = Thread.currentThread();
    CompletableFuture<Void> interrupter = CompletableFuture.runAsync(() -> {
      try {
        Await.until(Duration.ofSeconds(30), () -> Files.exists(pidFile), () -> "the command to write " + pidFile);
      } finally {
        caller.interrupt();
      }
    });
    try {
      assertThatThrownBy(() -> CommandRunner.run(
          Command.shell("(sleep 100 & echo $! > orphan.pid.tmp; mv orphan.pid.tmp orphan.pid); exec sleep 100"),
          tempDir, null, "runner.test", 1))
          .isInstanceOf(InterruptedException.class);
    } finally {
      interrupter.join();
      Thread.interrupted();
    }
    long orphan = Long.parseLong(Files.readString(pidFile).trim());
    Await.until(Duration.ofSeconds(10), () -> gone(orphan), () -> "the double-forked sleeper " + orphan + " to be killed");
  }

  @Test
  void aCommandThatIgnoresTheTerminationSignalIsKilledAfterTheGrace() throws Exception {
    Command command = Command.shell("trap '' TERM; echo $$ > shell.pid; while :; do sleep 1; done");

    catchThrowableOfType(WalltimeExceededException.class, () -> CommandRunner.run(command, tempDir, Duration.ofSeconds(1), "runner.test", 1));

    long shell = Long.parseLong(Files.readString(tempDir.resolve("shell.pid")).trim());
    Await.until(Duration.ofSeconds(20), () -> gone(shell), () -> "the shell " + shell + " that ignores SIGTERM to be killed");
  }

  @Test
  void theCommandsOwnWalltimeWinsOverTheDefault() {
    Command command = Command.of("sleep", "10").withWalltime(Duration.ofMillis(200));
    WalltimeExceededException failure = catchThrowableOfType(WalltimeExceededException.class,
        () -> CommandRunner.run(command, tempDir, Duration.ofHours(1), "runner.test", 1));
    assertThat(failure.walltime()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void interruptingTheCallerKillsTheCommand() throws Exception {
    Thread caller = Thread.currentThread();
    CompletableFuture<Void> interrupter = CompletableFuture.runAsync(() -> {
      try {
        // Interrupt once the command is running: it writes its pid first.
        Path pid = tempDir.resolve("pid");
        Await.until(Duration.ofSeconds(30), () -> Files.exists(pid), () -> "the command to write " + pid);
      } finally {
        caller.interrupt();
      }
    });
    try {
      assertThatThrownBy(() -> CommandRunner.run(Command.shell("echo $$ > pid.tmp; mv pid.tmp pid; exec sleep 10"), tempDir, null, "runner.test", 1))
          .isInstanceOf(InterruptedException.class);
    } finally {
      interrupter.join();
      Thread.interrupted();
    }
    long pid = Long.parseLong(Files.readString(tempDir.resolve("pid")).trim());
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void tailKeepsTheEndOfABigFileFromALineBoundary() throws Exception {
    Path file = tempDir.resolve("big.txt");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      text.append("line ").append(i).append('\n');
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);

    String tail = CommandRunner.tail(file, 100);
    assertThat(tail).endsWith("line 999\n").hasSizeLessThanOrEqualTo(100);
    assertThat(tail).startsWith("line ");
    assertThat(text.toString()).endsWith(tail);
    assertThat(CommandRunner.tail(file, 1_000_000)).isEqualTo(text.toString());
    assertThat(CommandRunner.tail(tempDir.resolve("missing"), 100)).isEmpty();
  }

  /** True when the process is gone or a zombie (killed, not yet reaped by its parent). */
  private static boolean gone(long pid) {
    Path stat = Path.of("/proc", String.valueOf(pid), "stat");
    if (!Files.exists(stat)) {
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty();
    }
    try {
      String content = Files.readString(stat);
      char state = content.charAt(content.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (IOException e) {
      return true; // vanished while reading
    }
  }
}
