package dev.shoal.azure.vmss;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The heartbeats of one pool's workers in a Blob container, as the provider reads them: one blob
 * per VM at {@code ready/<scale set>/<vm name>}, written by the worker's {@link BlobHeartbeat}, whose
 * last-modified time is when the worker was last seen.
 */
final class HeartbeatMarkers {
  /** Where, in the container, the workers of a scale set beat: {@code ready/<scale set>/<vm name>}. */
  static final String PREFIX = "ready/";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final BlobContainerClient container;
  private final String prefix;

  HeartbeatMarkers(BlobContainerClient container, String scaleSet) {
    this.container = Objects.requireNonNull(container, "container");
    this.prefix = PREFIX + scaleSet + "/";
  }

  /** The target a VM's worker beats, without the VM's name (the script appends it): {@code azblob://...}. */
  String targetPrefix() {
    URI url = URI.create(container.getBlobContainerUrl());
    return BlobHeartbeat.SCHEME + "://" + url.getRawAuthority() + url.getRawPath() + "/" + prefix;
  }

  /** The VMs with a heartbeat, each with the time of its last beat. */
  Map<String, Instant> read() {
    Map<String, Instant> seen = new HashMap<>();
    for (BlobItem blob : container.listBlobs(new ListBlobsOptions().setPrefix(prefix), CALL_TIMEOUT)) {
      String name = blob.getName().substring(prefix.length());
      if (!name.isEmpty() && !name.contains("/") && blob.getProperties() != null
          && blob.getProperties().getLastModified() != null) {
        seen.put(name, blob.getProperties().getLastModified().toInstant());
      }
    }
    return seen;
  }

  /** Deletes the heartbeat of a VM that is gone. */
  void forget(String name) {
    container.getBlobClient(prefix + name).deleteIfExists();
  }
}
