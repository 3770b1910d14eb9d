package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.DataFlowKernel;
import dev.shoal.aws.SqsClients;
import dev.shoal.spi.WorkerInstance;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local cluster owns its parts: built in one place, all of them gone when the kernel closes. */
class LocalClusterTest {
  @TempDir Path runDir;

  private static boolean listening(URI endpoint) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void closingTheKernelStopsTheWorkersAndTheServer() throws Exception {
    LocalCluster cluster = LocalCluster.builder().workers(2).logDir(runDir.resolve("workers")).build();
    List<ProcessHandle> processes;
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      assertThat(dfk.call(EndToEndApps.SQUARE, 7L).get(60, TimeUnit.SECONDS)).isEqualTo(49L);
      List<WorkerInstance> workers = cluster.workers().list();
      assertThat(workers).hasSize(2);
      processes = workers.stream().map(w -> cluster.workers().process(w.id()).orElseThrow()).toList();
      assertThat(listening(cluster.endpoint())).isTrue();
    }

    for (ProcessHandle process : processes) {
      process.onExit().get(30, TimeUnit.SECONDS);
      assertThat(process.isAlive()).isFalse();
    }
    assertThat(listening(cluster.endpoint())).isFalse();
  }

  @Test
  void oneBuilderBuildsIndependentClusters() {
    LocalCluster.Builder builder = LocalCluster.builder().workers(0).logDir(runDir.resolve("workers"));
    LocalCluster first = builder.build();
    LocalCluster second = builder.build();
    try {
      assertThat(first.endpoint()).isNotEqualTo(second.endpoint());
      assertThat(first.executor()).isNotSameAs(second.executor());
      first.close();
      assertThat(listening(second.endpoint())).isTrue();
    } finally {
      first.close();
      second.close();
    }
  }

  @Test
  void aClusterOnAnotherQueueServiceRunsItsWorkersThereAndLeavesTheServiceUp() throws Exception {
    // The other service: a server this test owns, reached by the transport's name and settings only.
    try (EmbeddedSqsServer service = EmbeddedSqsServer.start()) {
      Map<String, String> settings = Map.of(SqsClients.ENDPOINT, service.endpoint().toString(),
          SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static");
      LocalCluster cluster = LocalCluster.builder().queueService("sqs", settings).workers(2)
          .taskQueue("elsewhere-tasks").logDir(runDir.resolve("workers")).build();
      try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
        assertThat(dfk.call(EndToEndApps.SQUARE, 9L).get(60, TimeUnit.SECONDS)).isEqualTo(81L);
        assertThatThrownBy(cluster::endpoint).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("embeds no server");
        try (var transport = SqsClients.transport(settings)) {
          assertThat(transport.queueAddress("elsewhere-tasks").get(10, TimeUnit.SECONDS))
              .as("the task queue lives on the other service").isNotBlank();
        }
      }
      assertThat(listening(service.endpoint())).as("the cluster does not close a service it does not own").isTrue();
    }
  }

  @Test
  void aQueueServiceThatIsNotOnTheClassPathIsRefusedBeforeAnythingStarts() {
    assertThatThrownBy(() -> LocalCluster.builder().queueService("carrier-pigeon", Map.of()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no transport named 'carrier-pigeon'");
  }

  @Test
  void aMinimumWithoutAMaximumIsRefusedBeforeAnythingStarts() {
    assertThatThrownBy(() -> LocalCluster.builder().minWorkers(1).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("set maxWorkers");
  }
}
