package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.TaskState;
import dev.shoal.command.CommandFailedException;
import dev.shoal.command.CommandResult;
import dev.shoal.executor.RemoteAppException;
import dev.shoal.executor.WorkerFailureException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue executor end to end: an embedded SQS server (ElasticMQ) and two real worker JVMs,
 * shared by the tests of this class.
 */
class QueueExecutorEndToEndTest {
  @TempDir
  static Path runDir;

  private static LocalCluster cluster;
  private static DataFlowKernel dfk;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.builder()
        .workers(2)
        .lease(Duration.ofSeconds(5))
        .logDir(runDir.resolve("workers"))
        .configure(builder -> builder.taskTimeout(Duration.ofSeconds(60)))
        .build();
    dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build();
  }

  @AfterAll
  static void stop() {
    if (dfk != null) {
      dfk.close();
    }
  }

  @Test
  void manyTasksAndADependencyChainComplete() throws Exception {
    List<AppFuture<Long>> squares = new ArrayList<>();
    for (long i = 0; i < 2_000; i++) {
      squares.add(dfk.call(EndToEndApps.SQUARE, i));
    }
    AppFuture<Long> chain = dfk.call(EndToEndApps.SQUARE, 2L);
    for (int i = 0; i < 3; i++) {
      chain = dfk.call(EndToEndApps.SQUARE, chain);
    }

    for (int i = 0; i < squares.size(); i++) {
      assertThat(squares.get(i).get(60, TimeUnit.SECONDS)).isEqualTo((long) i * i);
    }
    assertThat(chain.get(60, TimeUnit.SECONDS)).isEqualTo(65_536L); // ((2^2)^2)^2)^2
    assertThat(cluster.executor().messagesSent()).isLessThan(cluster.executor().tasksSent());
  }

  @Test
  void appExceptionComesBackWithItsTypeMessageAndRemoteStack() {
    AppFuture<String> failed = dfk.call(EndToEndApps.FAIL, "boom on the worker");

    // A standard JDK exception is rebuilt as itself; the remote view rides along, suppressed.
    assertThatThrownBy(() -> failed.get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("boom on the worker")
        .satisfies(e -> {
          assertThat(e.getStackTrace()).anySatisfy(frame -> assertThat(frame.getClassName()).contains("EndToEndApps"));
          assertThat(e.getSuppressed()).singleElement().isInstanceOfSatisfying(RemoteAppException.class, remote -> {
            assertThat(remote).hasMessageContaining("java.lang.IllegalStateException: boom on the worker");
            assertThat(remote.remoteType()).isEqualTo("java.lang.IllegalStateException");
            assertThat(remote.getStackTrace()).anySatisfy(frame ->
                assertThat(frame.getClassName()).contains("EndToEndApps"));
          });
        });
    assertThat(failed.state()).isEqualTo(TaskState.FAILED);
  }

  @Test
  void commandAppsRunOnTheWorkerWithOutputCaptured() throws Exception {
    CommandResult ok = dfk.call(EndToEndApps.SHELL, "echo hello from $0; echo to-stderr >&2").get(60, TimeUnit.SECONDS);
    AppFuture<CommandResult> failing = dfk.call(EndToEndApps.SHELL, "echo broken >&2; exit 7");

    assertThat(ok.exitCode()).isZero();
    assertThat(ok.stdout()).contains("hello from");
    assertThat(Path.of(ok.stdoutFile())).hasContent(ok.stdout());
    assertThatThrownBy(() -> failing.get(60, TimeUnit.SECONDS))
        .cause().isExactlyInstanceOf(CommandFailedException.class)
        .hasMessageContaining("exited with code 7")
        .hasMessageContaining("broken")
        .satisfies(e -> assertThat(e.getSuppressed()).singleElement().asInstanceOf(
            org.assertj.core.api.InstanceOfAssertFactories.THROWABLE).hasMessageContaining("CommandFailedException"));
  }

  @Test
  void unknownAppFailsClearlyAndTheWorkersKeepServing() throws Exception {
    AppFuture<Long> unknown = dfk.call(EndToEndApps.UNPUBLISHED, 1L);

    assertThatThrownBy(() -> unknown.get(60, TimeUnit.SECONDS))
        .cause().isInstanceOf(WorkerFailureException.class)
        .hasMessageContaining("e2e.unpublished");
    assertThat(dfk.call(EndToEndApps.SQUARE, 9L).get(60, TimeUnit.SECONDS)).isEqualTo(81L);
  }

  @Test
  void anArgumentOverTheQueuesLimitGoesThroughThePayloadStoreBesideOrdinaryTasks() throws Exception {
    // The local cluster has a payload store by default; without one such an argument fails at once
    // (ClaimCheckEndToEndTest.withoutAPayloadStoreALargeArgumentFailsAtOnceSayingWhatWouldCarryIt).
    String huge = "x".repeat(400 * 1024);
    AppFuture<String> large = dfk.call(EndToEndApps.ECHO_LENGTH, huge);
    AppFuture<String> fine = dfk.call(EndToEndApps.ECHO_LENGTH, "x".repeat(10_000));

    assertThat(large.get(60, TimeUnit.SECONDS)).isEqualTo(Integer.toString(400 * 1024));
    assertThat(fine.get(60, TimeUnit.SECONDS)).isEqualTo("10000");
  }
}
