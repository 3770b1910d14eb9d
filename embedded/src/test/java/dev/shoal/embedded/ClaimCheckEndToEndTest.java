package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.executor.PayloadTooLargeException;
import dev.shoal.executor.PayloadUnavailableException;
import dev.shoal.executor.WorkerFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claim checks on the local default: an argument and a result far over the queue's limit travel
 * through the cluster's payload store (a folder) between this JVM and a worker JVM, and the store
 * is empty again once the results are consumed.
 */
class ClaimCheckEndToEndTest {
  @TempDir Path runDir;

  private static long filesIn(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void argumentsAndResultsOverTheQueuesLimitGoThroughThePayloadStore() throws Exception {
    Path store = runDir.resolve("payloads");
    // 3 MB of text each way, against a queue that takes 256 KiB; the burst off, so that a worker JVM runs it.
    String large = "abc".repeat(1024 * 1024);
    LocalCluster cluster = LocalCluster.builder().workers(1).inProcessBurst(false).payloadStore(store.toUri())
        .logDir(runDir.resolve("workers")).build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      AppFuture<String> reversed = dfk.call(EndToEndApps.REVERSE, large);
      AppFuture<String> length = dfk.call(EndToEndApps.ECHO_LENGTH, large);

      assertThat(reversed.get(2, TimeUnit.MINUTES)).isEqualTo(new StringBuilder(large).reverse().toString());
      assertThat(length.get(2, TimeUnit.MINUTES)).isEqualTo(Integer.toString(large.length()));
      assertThat(cluster.executor().tasksSent()).isEqualTo(2);
    }
    assertThat(filesIn(store)).as("objects left in the store once the results were consumed").isZero();
  }

  @Test
  void aPayloadTooLargeForTheWorkersHeapFailsItsTaskSayingSoInsteadOfPassingForPoison() throws Exception {
    // A worker JVM of 64 MB given 48 MB of text: it cannot even read the argument.
    LocalCluster cluster = LocalCluster.builder().workers(1).inProcessBurst(false)
        .payloadStore(runDir.resolve("payloads").toUri())
        .configureWorkers(workers -> workers.jvmArgs(List.of("-Xmx64m", "-XX:+UseSerialGC")))
        .logDir(runDir.resolve("workers")).build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      AppFuture<String> length = dfk.call(EndToEndApps.ECHO_LENGTH, "y".repeat(48 * 1024 * 1024));
      // Where the heap ran out (reading the object, or parsing it) decides the exception's type;
      // either way the future says it was memory, and not that the task crashed its worker.
      assertThatThrownBy(() -> length.get(2, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOfAny(WorkerFailureException.class, PayloadUnavailableException.class)
          .hasMessageContaining("ran out of memory").hasMessageContaining("MB)")
          .hasMessageNotContaining("crashed or hung");
      // The worker lived on and serves the next task.
      assertThat(dfk.call(EndToEndApps.SQUARE, 12L).get(2, TimeUnit.MINUTES)).isEqualTo(144L);
    }
  }

  @Test
  void withoutAPayloadStoreALargeArgumentFailsAtOnceSayingWhatWouldCarryIt() throws Exception {
    LocalCluster cluster = LocalCluster.builder().workers(0).noPayloadStore().logDir(runDir.resolve("workers")).build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      AppFuture<String> length = dfk.call(EndToEndApps.ECHO_LENGTH, "x".repeat(1024 * 1024));
      assertThatThrownBy(() -> length.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(PayloadTooLargeException.class).hasMessageContaining("over the queue's message limit")
          .hasMessageContaining("payloadStore");
    }
  }
}
