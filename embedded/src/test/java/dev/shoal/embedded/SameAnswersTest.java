package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.app.EncodingException;
import dev.shoal.command.CommandFailedException;
import dev.shoal.command.CommandResult;
import dev.shoal.command.WalltimeExceededException;
import dev.shoal.executor.RemoteAppException;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same program gives the same answers on threads and on the queue: each case runs on a
 * thread-pool kernel and on a local cluster's worker JVMs, with the same assertions.
 */
class SameAnswersTest {
  @TempDir
  static Path tempDir;

  private static DataFlowKernel threads;
  private static DataFlowKernel queue;

  /** Where a case runs. */
  enum On { THREADS, QUEUE }

  @BeforeAll
  static void start() throws Exception {
    // A relative run folder, as a user who keeps the default ("runinfo") has.
    Path relativeRuns = Path.of("target", "same-answers-runs");
    Files.createDirectories(relativeRuns);
    threads = DataFlowKernel.builder()
        .runDir(relativeRuns)
        .executor(ThreadPoolTaskExecutor.builder().threads(4).build())
        .build();
    LocalCluster cluster = LocalCluster.builder()
        .workers(1)
        .slotsPerWorker(4)
        // Every queue task runs in a worker JVM: the tripwire counts what this JVM constructs.
        .inProcessBurst(false)
        .logDir(tempDir.resolve("workers"))
        .configure(builder -> builder.taskTimeout(Duration.ofSeconds(60)))
        .build();
    queue = DataFlowKernel.builder().runDir(tempDir.resolve("queue-runs")).executor(cluster).build();
  }

  @AfterAll
  static void stop() {
    if (threads != null) {
      threads.close();
    }
    if (queue != null) {
      queue.close();
    }
  }

  private static DataFlowKernel kernel(On on) {
    return on == On.THREADS ? threads : queue;
  }

  /** What the future failed with. */
  private static Throwable failure(AppFuture<?> future) {
    Throwable thrown = catchThrowable(() -> future.get(60, TimeUnit.SECONDS));
    assertThat(thrown).as("the task's failure").isInstanceOf(ExecutionException.class);
    return thrown.getCause();
  }

  static Stream<Arguments> jdkExceptions() {
    return Stream.of(On.values()).flatMap(on -> SameAnswersApps.KINDS.keySet().stream().sorted()
        .map(kind -> Arguments.of(on, kind)));
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("jdkExceptions")
  void aStandardJdkExceptionArrivesAsItselfWithItsMessageAndStack(On on, String kind) {
    Throwable expected = catchThrowable(() -> SameAnswersApps.throwNamed(kind));

    Throwable error = failure(kernel(on).call(SameAnswersApps.THROW, kind));

    assertThat(error).isExactlyInstanceOf(SameAnswersApps.KINDS.get(kind)).hasMessage(expected.getMessage());
    assertThat(Arrays.asList(error.getStackTrace())).as("the app's own frames").anySatisfy(frame -> {
      assertThat(frame.getClassName()).isEqualTo(SameAnswersApps.class.getName());
      assertThat(frame.getMethodName()).isEqualTo("throwNamed");
    });
    if (expected.getCause() != null) {
      assertThat(error.getCause()).isExactlyInstanceOf(expected.getCause().getClass())
          .hasMessage(expected.getCause().getMessage());
    }
    if (on == On.QUEUE) {
      // Nothing the worker said is lost: the remote view rides along.
      assertThat(error.getSuppressed()).singleElement().isInstanceOfSatisfying(RemoteAppException.class, remote -> {
        assertThat(remote.remoteType()).isEqualTo(expected.getClass().getName());
        assertThat(remote.remoteMessage()).isEqualTo(expected.getMessage());
        assertThat(remote.getMessage()).contains("on worker ");
      });
    }
  }

  @ParameterizedTest
  @EnumSource(On.class)
  void catchClausesThatWorkOnThreadsWorkOnTheQueue(On on) {
    AppFuture<String> call = kernel(on).call(SameAnswersApps.THROW, "argument");

    String outcome;
    try {
      outcome = "returned " + call.join();
    } catch (CompletionException e) {
      try {
        throw e.getCause();
      } catch (IllegalArgumentException badArgument) {
        outcome = "rejected: " + badArgument.getMessage();
      } catch (Throwable other) {
        outcome = "something else: " + other;
      }
    }

    assertThat(outcome).isEqualTo("rejected: bad argument: argument");
  }

  @ParameterizedTest
  @EnumSource(On.class)
  void aFailedCommandKeepsItsExitCodeAndStderrAndNamesItsAppAndTask(On on) {
    AppFuture<CommandResult> call = kernel(on).call(SameAnswersApps.SHELL, "echo working; echo broken >&2; exit 7");

    Throwable error = failure(call);

    assertThat(error).isExactlyInstanceOf(CommandFailedException.class);
    CommandFailedException failure = (CommandFailedException) error;
    assertThat(failure.exitCode()).isEqualTo(7);
    assertThat(failure.stderrTail()).isEqualTo("broken\n");
    assertThat(failure.app()).isEqualTo("same.shell");
    assertThat(failure.taskId()).isEqualTo(call.taskId());
    assertThat(failure.command()).containsExactly("/bin/sh", "-c", "echo working; echo broken >&2; exit 7");
    assertThat(failure.getMessage())
        .contains("same.shell")
        .contains("task " + call.taskId())
        .contains("exited with code 7")
        .contains("broken")
        .doesNotStartWith("command '/bin/sh'");
  }

  @ParameterizedTest
  @EnumSource(On.class)
  void aCommandOverItsWalltimeFailsWithItsWalltime(On on) {
    AppFuture<CommandResult> call = kernel(on).call(SameAnswersApps.SHELL_300MS, "exec sleep 10");

    Throwable error = failure(call);

    assertThat(error).isExactlyInstanceOf(WalltimeExceededException.class);
    assertThat(((WalltimeExceededException) error).walltime()).isEqualTo(Duration.ofMillis(300));
    assertThat(((WalltimeExceededException) error).app()).isEqualTo("same.shell-300ms");
    assertThat(((WalltimeExceededException) error).taskId()).isEqualTo(call.taskId());
    assertThat(error.getMessage()).contains("same.shell-300ms").contains("task " + call.taskId()).contains("walltime");
  }

  @ParameterizedTest
  @EnumSource(On.class)
  void anExceptionTheAppDeclaresArrivesAsItself(On on) {
    AppFuture<String> call = kernel(on).call(SameAnswersApps.DECLARED, "over quota");

    String outcome;
    try {
      outcome = "returned " + call.join();
    } catch (CompletionException e) {
      try {
        throw e.getCause();
      } catch (SameAnswersApps.QuotaExceeded quota) {
        outcome = "quota: " + quota.getMessage();
      } catch (Throwable other) {
        outcome = "something else: " + other;
      }
    }

    assertThat(outcome).isEqualTo("quota: over quota");
  }

  @ParameterizedTest
  @EnumSource(On.class)
  void commandResultPathsAreAbsolute(On on) throws Exception {
    CommandResult result = kernel(on).call(SameAnswersApps.SHELL, "echo out; echo err >&2").get(60, TimeUnit.SECONDS);

    assertThat(Path.of(result.workDir())).isAbsolute().isDirectory();
    assertThat(Path.of(result.stdoutFile())).isAbsolute().hasContent("out");
    assertThat(Path.of(result.stderrFile())).isAbsolute().hasContent("err");
  }

  @Test
  void anExceptionTheAppDoesNotDeclareStaysARemoteAppExceptionAndIsNeverConstructedHere() {
    int constructedBefore = SameAnswersApps.Tripwire.CONSTRUCTED.get();

    Throwable error = failure(queue.call(SameAnswersApps.UNDECLARED, "tripped on a worker"));

    assertThat(error).isExactlyInstanceOf(RemoteAppException.class);
    RemoteAppException remote = (RemoteAppException) error;
    assertThat(remote.remoteType()).isEqualTo(SameAnswersApps.Tripwire.class.getName());
    assertThat(remote.remoteMessage()).isEqualTo("tripped on a worker");
    assertThat(SameAnswersApps.Tripwire.CONSTRUCTED.get()).as("constructions in the client's JVM")
        .isEqualTo(constructedBefore);
  }

  @Test
  void aResultThatCannotBeEncodedFailsWithEncodingException() {
    Throwable error = failure(queue.call(SameAnswersApps.UNENCODABLE, "x"));

    assertThat(error).isExactlyInstanceOf(EncodingException.class).hasMessageContaining("cannot encode");
  }
}
