package dev.shoal.azure.blob;

import com.azure.core.util.BinaryData;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobAsyncClient;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.BlobServiceAsyncClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import dev.shoal.internal.payload.PayloadKeys;
import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreException;
import dev.shoal.spi.PayloadStoreProvider;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Payloads as block blobs: {@code azblob://<account host>/<container>/<root prefix>/<prefix>/<uuid>},
 * the URI form of the workers' heartbeats ({@code dev.shoal.azure.vmss.BlobHeartbeat}).
 *
 * <p>A get asks for the blob's size first and downloads it only when it is within the limit, and
 * then only the version it sized (If-Match on its ETag). A reference outside the store's account,
 * container and root prefix is refused before any call, since references arrive from the queue;
 * the identities involved need Storage Blob Data Contributor on the payload container, nothing
 * wider. A put never overwrites (If-None-Match: *), which a fresh name makes moot but states.
 */
public final class BlobPayloadStore implements PayloadStore {
  /** The scheme of this store's references. */
  public static final String SCHEME = "azblob";

  private final BlobContainerAsyncClient container;
  private final String authority;
  private final String rootPath;
  private final URI root;

  /**
   * A store putting blobs below {@code root} ({@code azblob://<account host>/<container>[/<prefix>]})
   * through this account's client; the root's host must be the account's.
   */
  public BlobPayloadStore(BlobServiceAsyncClient account, URI root) {
    Objects.requireNonNull(account, "account");
    String path = root == null ? null : root.getRawPath();
    if (root == null || !SCHEME.equals(root.getScheme()) || root.isOpaque() || root.getRawAuthority() == null
        || path == null || path.length() < 2 || root.getRawQuery() != null || root.getRawFragment() != null) {
      throw new IllegalArgumentException("a Blob payload store's root is " + SCHEME
          + "://<account host>/<container>[/<prefix>]: " + root);
    }
    String accountAuthority = URI.create(account.getAccountUrl()).getRawAuthority();
    if (!root.getRawAuthority().equalsIgnoreCase(accountAuthority)) {
      throw new IllegalArgumentException("a Blob payload store's root " + root
          + " names another account than its client's, " + accountAuthority);
    }
    int slash = path.indexOf('/', 1);
    String containerName = slash < 0 ? path.substring(1) : path.substring(1, slash);
    this.authority = root.getRawAuthority();
    this.rootPath = PayloadKeys.rootPath(root, slash < 0 ? "" : path.substring(slash));
    this.container = account.getBlobContainerAsyncClient(containerName);
    this.root = URI.create(SCHEME + "://" + authority + "/" + containerName + "/" + rootPath);
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public CompletableFuture<URI> put(String prefix, byte[] bytes) {
    String name = PayloadKeys.newKey(rootPath, prefix);
    URI location = location(name);
    BlobParallelUploadOptions upload = new BlobParallelUploadOptions(BinaryData.fromBytes(bytes))
        .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*"));
    return container.getBlobAsyncClient(name).uploadWithResponse(upload).toFuture()
        .handle((response, error) -> {
          if (error != null) {
            throw new PayloadStoreException("cannot store a payload of " + bytes.length + " bytes at "
                + location + ": " + reason(error), unwrap(error));
          }
          return location;
        });
  }

  @Override
  public CompletableFuture<byte[]> get(URI location, long maxBytes) {
    BlobAsyncClient blob;
    try {
      blob = container.getBlobAsyncClient(nameOf(location));
    } catch (PayloadStoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    return blob.getProperties().toFuture()
        .handle((properties, error) -> {
          if (error != null) {
            throw failure("cannot read payload", location, error);
          }
          if (properties.getBlobSize() > maxBytes) {
            throw new PayloadStoreException("payload " + location + " is " + properties.getBlobSize()
                + " bytes, over the limit of " + maxBytes);
          }
          return properties;
        })
        .thenCompose(properties -> download(location, blob, properties));
  }

  private static CompletableFuture<byte[]> download(URI location, BlobAsyncClient blob, BlobProperties properties) {
    return blob.downloadContentWithResponse(null, new BlobRequestConditions().setIfMatch(properties.getETag()))
        .toFuture()
        .handle((response, error) -> {
          if (error != null) {
            throw failure("cannot read payload", location, error);
          }
          byte[] bytes = response.getValue().toBytes();
          if (bytes.length != properties.getBlobSize()) {
            throw new PayloadStoreException("payload " + location + " came as " + bytes.length
                + " bytes, where its size said " + properties.getBlobSize());
          }
          return bytes;
        });
  }

  @Override
  public CompletableFuture<Void> delete(URI location) {
    BlobAsyncClient blob;
    try {
      blob = container.getBlobAsyncClient(nameOf(location));
    } catch (PayloadStoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    return blob.deleteIfExists().toFuture()
        .handle((deleted, error) -> {
          if (error != null) {
            throw failure("cannot delete payload", location, error);
          }
          return null;
        });
  }

  /** The blob name a reference gives, if it is one of this store's. */
  private String nameOf(URI location) {
    if (location == null || !SCHEME.equals(location.getScheme()) || location.isOpaque()
        || location.getRawQuery() != null || location.getRawFragment() != null) {
      throw PayloadKeys.refused(location, root, "not a Blob reference");
    }
    if (!authority.equalsIgnoreCase(location.getRawAuthority())) {
      throw PayloadKeys.refused(location, root, "another storage account");
    }
    String containerPath = "/" + container.getBlobContainerName() + "/";
    String path = location.getRawPath();
    if (path == null || !path.startsWith(containerPath)) {
      throw PayloadKeys.refused(location, root, "another container");
    }
    String name = path.substring(containerPath.length());
    if (!name.startsWith(rootPath) || name.length() == rootPath.length()
        || !PayloadKeys.isPlainPath(name.substring(rootPath.length()))) {
      throw PayloadKeys.refused(location, root, "not below the root prefix");
    }
    return name;
  }

  private URI location(String name) {
    return URI.create(SCHEME + "://" + authority + "/" + container.getBlobContainerName() + "/" + name);
  }

  private static PayloadStoreException failure(String what, URI location, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof PayloadStoreException known) {
      return known;
    }
    if (cause instanceof BlobStorageException storage && storage.getStatusCode() == 404) {
      return new PayloadStoreException("payload " + location + " does not exist", cause);
    }
    if (cause instanceof BlobStorageException storage
        && BlobErrorCode.CONDITION_NOT_MET.equals(storage.getErrorCode())) {
      return new PayloadStoreException("payload " + location + " was replaced while being read", cause);
    }
    return new PayloadStoreException(what + " " + location + ": " + reason(cause), cause);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static String reason(Throwable error) {
    Throwable cause = unwrap(error);
    String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
    // The storage service's messages run to many lines of XML; the first says what happened.
    return message.lines().findFirst().orElse(message);
  }

  /** The client's connections are shared, pooled by the SDK's HTTP client; there is nothing to close. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "BlobPayloadStore[" + root + "]";
  }

  /**
   * The provider of {@code azblob://<account host>/<container>[/<prefix>]} stores, reached over
   * https with the machine's {@code DefaultAzureCredential} (on a VM or Function, its managed
   * identity; {@code AZURE_CLIENT_ID} picks a user-assigned one), or with the connection string of
   * setting {@value #CONNECTION} (Azurite's, in tests), whose account host the root must then name.
   */
  public static final class Provider implements PayloadStoreProvider {
    /** Setting: a storage connection string, in place of {@code DefaultAzureCredential}. */
    public static final String CONNECTION = "azblob.connection";

    @Override
    public String scheme() {
      return SCHEME;
    }

    @Override
    public PayloadStore create(URI root, Map<String, String> settings) {
      String connection = settings.get(CONNECTION);
      BlobServiceClientBuilder builder = new BlobServiceClientBuilder();
      if (connection != null && !connection.isBlank()) {
        builder.connectionString(connection);
      } else {
        if (root == null || root.getRawAuthority() == null) {
          throw new IllegalArgumentException("a Blob payload store's root is " + SCHEME
              + "://<account host>/<container>[/<prefix>]: " + root);
        }
        builder.endpoint("https://" + root.getRawAuthority()).credential(new DefaultAzureCredentialBuilder().build());
      }
      return new BlobPayloadStore(builder.buildAsyncClient(), root);
    }
  }
}
