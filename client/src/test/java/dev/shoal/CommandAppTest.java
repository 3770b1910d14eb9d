package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import dev.shoal.command.CommandFailedException;
import dev.shoal.command.CommandResult;
import dev.shoal.command.WalltimeExceededException;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@DisabledOnOs(OS.WINDOWS)
class CommandAppTest {
  @TempDir Path tempDir;

  private DataFlowKernel kernel() {
    return DataFlowKernel.builder()
        .runDir(tempDir.resolve("runs"))
        .executor(ThreadPoolTaskExecutor.builder().threads(3).build())
        .build();
  }

  @Test
  void stdoutIsCapturedInTheResultAndInAFile() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      CommandResult result = dfk.call(TestApps.SHELL, "echo hello; echo world").get(30, SECONDS);

      assertThat(result.exitCode()).isZero();
      assertThat(result.stdout()).isEqualTo("hello\nworld\n");
      assertThat(Path.of(result.stdoutFile())).hasContent("hello\nworld");
      assertThat(Files.readString(Path.of(result.stdoutFile()))).isEqualTo("hello\nworld\n");
      assertThat(Path.of(result.stderrFile())).exists().isEmptyFile();
      assertThat(result.elapsed()).isPositive();
    }
  }

  @Test
  void eachTaskRunsInItsOwnWorkingDirectoryUnderTheRunDir() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      List<AppFuture<CommandResult>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        calls.add(dfk.call(TestApps.SHELL, "echo " + i + " > out.txt; pwd"));
      }
      Set<Path> dirs = new HashSet<>();
      for (int i = 0; i < calls.size(); i++) {
        CommandResult result = calls.get(i).get(30, SECONDS);
        Path workDir = Path.of(result.workDir());
        assertThat(workDir).startsWith(dfk.runDir());
        assertThat(Path.of(result.stdout().trim()).toRealPath()).isEqualTo(workDir.toRealPath());
        assertThat(workDir.resolve("out.txt")).hasContent(String.valueOf(i));
        assertThat(Path.of(result.stdoutFile()).getParent()).isEqualTo(workDir);
        dirs.add(workDir);
      }
      assertThat(dirs).hasSize(4);
      assertThat(dfk.runDir()).startsWith(tempDir.resolve("runs")).hasFileName(dfk.runId());
    }
  }

  @Test
  void aNonZeroExitFailsWithTheExitCodeAndTheEndOfStderr() {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<CommandResult> call = dfk.call(TestApps.SHELL, "echo working; echo 'disk on fire' >&2; exit 3");

      Throwable error = catchThrowable(() -> call.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(CommandFailedException.class);
      CommandFailedException failure = (CommandFailedException) error;
      assertThat(failure.exitCode()).isEqualTo(3);
      assertThat(failure.stderrTail()).isEqualTo("disk on fire\n");
      assertThat(failure.getMessage()).contains("exited with code 3").contains("disk on fire");
      assertThat(call.state()).isEqualTo(TaskState.FAILED);
    }
  }

  @Test
  void aFailedCommandNamesItsAppAndTask() {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<CommandResult> call = dfk.call(TestApps.SHELL, "exit 4");

      Throwable error = catchThrowable(() -> call.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(CommandFailedException.class);
      assertThat(error.getMessage()).contains("test.shell").contains("task " + call.taskId())
          .contains("exited with code 4").contains("printed nothing on stderr");
    }
  }

  @Test
  void resultPathsAreAbsoluteUnderARelativeRunFolder() throws Exception {
    Path relative = Path.of("").toAbsolutePath().relativize(tempDir.resolve("relative-runs"));
    assertThat(relative).isRelative();
    try (DataFlowKernel dfk = DataFlowKernel.builder()
        .runDir(relative)
        .executor(ThreadPoolTaskExecutor.builder().threads(1).build())
        .build()) {
      CommandResult result = dfk.call(TestApps.SHELL, "echo out").get(30, SECONDS);

      assertThat(Path.of(result.workDir())).isAbsolute().isDirectory();
      assertThat(Path.of(result.stdoutFile())).isAbsolute().hasContent("out");
      assertThat(Path.of(result.stderrFile())).isAbsolute().exists();
    }
  }

  @Test
  void aCommandOverItsWalltimeIsKilledAndFails() throws Exception {
    Path pidFile = tempDir.resolve("pid");
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<CommandResult> call = dfk.call(TestApps.SHELL_300MS, "echo $$ > '" + pidFile + "'; exec sleep 10");

      Throwable error = catchThrowable(() -> call.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(WalltimeExceededException.class).hasMessageContaining("walltime");
      assertThat(((WalltimeExceededException) error).walltime()).isEqualTo(Duration.ofMillis(300));
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("process %d", pid)
          .satisfiesAnyOf(alive -> assertThat(alive).isEmpty(), alive -> assertThat(alive).contains(false));
    }
  }

  @Test
  void environmentVariablesArePassed() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      CommandResult result = dfk.call(TestApps.SHELL_WITH_ENV, "echo \"$GREETING\"", "GREETING", "hi there")
          .get(30, SECONDS);
      assertThat(result.stdout()).isEqualTo("hi there\n");
    }
  }

  @Test
  void commandAppsTakeFutureArgumentsLikeAnyOther() throws Exception {
    App1<Long, String> makeLine = Apps.define("test.command.make-line").java(Long.class, String.class, n -> "echo " + n);
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<CommandResult> result = dfk.call(TestApps.SHELL, dfk.call(makeLine, 42L));
      assertThat(result.get(30, SECONDS).stdout()).isEqualTo("42\n");
    }
  }
}
