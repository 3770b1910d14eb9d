package dev.shoal.azure.vmss;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobClientBuilder;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import dev.shoal.worker.Heartbeat;
import dev.shoal.worker.HeartbeatProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A worker's heartbeat as an empty block blob, written again at every beat: its last-modified time
 * is when the worker was last seen alive. The {@link VmssProvider} reads these blobs
 * ({@code ready/<scale set>/<vm name>} in its heartbeat container) to tell a polling worker from a
 * pending one and a live one from a silent one. The VM's managed identity needs to write that blob
 * (Storage Blob Data Contributor on the container), nothing more.
 */
public final class BlobHeartbeat implements Heartbeat {
  /** The scheme of heartbeat targets in Blob storage: {@code azblob://<account host>/<container>/<blob>}. */
  public static final String SCHEME = "azblob";
  /** One beat may take this long before it counts as failed; the next period tries again. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final BlobClient blob;

  /** A heartbeat writing this blob. */
  public BlobHeartbeat(BlobClient blob) {
    this.blob = Objects.requireNonNull(blob, "blob");
  }

  @Override
  public void beat() {
    blob.getBlockBlobClient().uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(new byte[0])),
        CALL_TIMEOUT, Context.NONE);
  }

  @Override
  public String toString() {
    // Not getBlobUrl(), which shows the slashes of the blob's name encoded.
    return "BlobHeartbeat[" + blob.getAccountUrl() + "/" + blob.getContainerName() + "/" + blob.getBlobName() + "]";
  }

  /**
   * The {@link HeartbeatProvider} of {@code azblob://<account host>/<container>/<blob>} targets,
   * written over https with the machine's {@code DefaultAzureCredential}: on a VM, its managed
   * identity ({@code AZURE_CLIENT_ID} picks a user-assigned one). The worker's transport settings
   * are not used.
   */
  public static final class Provider implements HeartbeatProvider {
    @Override
    public String scheme() {
      return SCHEME;
    }

    @Override
    public Heartbeat create(URI target, Map<String, String> transportSettings) {
      String host = target.getHost();
      String path = target.getPath();
      int slash = path == null || path.length() < 2 ? -1 : path.indexOf('/', 1);
      if (!SCHEME.equals(target.getScheme()) || host == null || slash < 0 || slash == path.length() - 1) {
        throw new IllegalArgumentException("a Blob heartbeat's target is " + SCHEME
            + "://<account host>/<container>/<blob>: " + target);
      }
      BlobClient blob = new BlobClientBuilder()
          .endpoint("https://" + target.getRawAuthority() + path.substring(0, slash))
          .blobName(path.substring(slash + 1))
          .credential(new DefaultAzureCredentialBuilder().build())
          .buildClient();
      return new BlobHeartbeat(blob);
    }
  }
}
