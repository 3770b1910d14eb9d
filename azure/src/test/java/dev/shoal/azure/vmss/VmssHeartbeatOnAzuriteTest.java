package dev.shoal.azure.vmss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import dev.shoal.azure.fake.FakeArm;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.worker.WorkerOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Workers' heartbeats in Blob storage: a {@link BlobHeartbeat} written to Azurite, read by the
 * provider (whose ARM is {@link FakeArm}) to tell a polling worker from a pending one and to say
 * when it was last seen.
 */
@ExtendWith(Azurite.class)
@Timeout(60)
class VmssHeartbeatOnAzuriteTest {
  private static final String GROUP = "shoal-rg";
  private static final WorkerOptions SPEC = WorkerOptions.of("servicebus",
      Map.of("namespace", "shoal-ns.servicebus.windows.net"), "shoal-tasks");

  private FakeArm arm;
  private String pool;
  private BlobContainerClient container;

  @BeforeEach
  void start() {
    arm = FakeArm.start();
    pool = arm.createPool(GROUP, "workers", "pool-1");
    container = Azurite.newContainer();
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  private VmssProvider provider() {
    return VmssProvider.builder().computeManager(arm.computeManager()).scaleSetId(pool).workerOptions(SPEC)
        .workerJarUrl("https://shoalartifacts.blob.core.windows.net/jars/shoal-worker.jar")
        .pollInterval(Duration.ofMillis(10)).heartbeatContainer(container).heartbeatPeriod(Duration.ofSeconds(20))
        .build();
  }

  private void beat(String vm) {
    new BlobHeartbeat(container.getBlobClient("ready/workers/" + vm)).beat();
  }

  @Test
  void aWorkersHeartbeatMakesItRunningAndItsLastBeatIsWhenItWasLastSeen() {
    VmssProvider provider = provider();
    String vm = provider.launch(1).get(0).id();
    arm.bootAll(pool);
    // Powered on, but its worker has not polled yet.
    assertThat(provider.list()).singleElement().satisfies(worker -> {
      assertThat(worker.state()).isEqualTo(WorkerInstance.State.PENDING);
      assertThat(worker.lastSeen()).isNull();
    });

    Instant before = Instant.now().minusSeconds(5);
    beat(vm);

    Instant marker = container.getBlobClient("ready/workers/" + vm).getProperties().getLastModified().toInstant();
    assertThat(provider.list()).singleElement().satisfies(worker -> {
      assertThat(worker.state()).isEqualTo(WorkerInstance.State.RUNNING);
      assertThat(worker.lastSeen()).isEqualTo(marker).isAfter(before);
    });
  }

  @Test
  void theWorkersAreToldWhereToBeat() {
    VmssProvider provider = provider();

    assertThat(provider.customDataScript()).contains("export SHOAL_HEARTBEAT='azblob://" + container.getBlobContainerUrl()
        .substring("http://".length()) + "/ready/workers/'\"$NAME\" SHOAL_HEARTBEAT_PERIOD='PT20S'");
  }

  @Test
  void theHeartbeatsOfVmsThatAreGoneAreForgotten() {
    VmssProvider provider = provider();
    String vm = provider.launch(1).get(0).id();
    beat(vm);
    beat("workers_0ld0ne00");

    assertThat(provider.list()).extracting(WorkerInstance::id).containsExactly(vm);

    assertThat(container.listBlobs().stream().map(blob -> blob.getName())).containsExactly("ready/workers/" + vm);
  }

  @Test
  void heartbeatsThatCannotBeReadFailTheListingRatherThanMakeEveryWorkerLookPending() {
    VmssProvider provider = provider();
    provider.launch(1);
    container.delete();

    assertThatThrownBy(provider::list).isInstanceOfSatisfying(ScaleSetException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(404);
      assertThat(e).hasMessageContaining("reading the heartbeats of scale set workers failed: Azure answered 404");
    });
  }
}
