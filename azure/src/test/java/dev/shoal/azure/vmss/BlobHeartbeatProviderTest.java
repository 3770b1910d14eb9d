package dev.shoal.azure.vmss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.worker.HeartbeatProvider;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's side of Blob heartbeats: found by its scheme, and what targets it takes. */
class BlobHeartbeatProviderTest {

  @Test
  void servesAzblobTargetsAndIsFoundByItsScheme() {
    assertThat(HeartbeatProvider.forScheme("azblob")).isInstanceOf(BlobHeartbeat.Provider.class);
    BlobHeartbeat.Provider provider = new BlobHeartbeat.Provider();

    try (var heartbeat = provider.create(
        URI.create("azblob://shoalartifacts.blob.core.windows.net/heartbeats/ready/workers/workers_1a2b3c4d"), Map.of())) {
      assertThat(heartbeat).hasToString(
          "BlobHeartbeat[https://shoalartifacts.blob.core.windows.net/heartbeats/ready/workers/workers_1a2b3c4d]");
    }
    for (String bad : new String[] {"azblob://host-only", "azblob://host/container-only", "azblob://host/container/",
        "s3://bucket/key"}) {
      assertThatThrownBy(() -> provider.create(URI.create(bad), Map.of())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("azblob://<account host>/<container>/<blob>");
    }
  }
}
