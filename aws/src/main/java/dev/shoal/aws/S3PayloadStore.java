package dev.shoal.aws;

import dev.shoal.internal.payload.PayloadKeys;
import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreException;
import dev.shoal.spi.PayloadStoreProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Payloads as S3 objects: {@code s3://<bucket>/<root prefix>/<prefix>/<uuid>}.
 *
 * <p>A get asks for the object's size first (HeadObject) and fetches it only when it is within the
 * limit, and then only the version it sized (If-Match on its ETag). A reference outside the
 * store's bucket and root prefix is refused before any call, since references arrive from the
 * queue: a worker's role then needs {@code s3:GetObject} and {@code s3:DeleteObject} on the root
 * prefix only (and the client's {@code s3:PutObject}). The client is asynchronous (Netty).
 */
public final class S3PayloadStore implements PayloadStore {
  /** The scheme of this store's references. */
  public static final String SCHEME = "s3";

  private final S3AsyncClient s3;
  private final boolean ownsS3;
  private final String bucket;
  private final String rootPath;
  private final URI root;

  /**
   * A store putting objects below {@code root} ({@code s3://<bucket>[/<prefix>]}) with this client,
   * closed with the store if {@code owned}.
   */
  public S3PayloadStore(S3AsyncClient s3, boolean owned, URI root) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.ownsS3 = owned;
    if (root == null || !SCHEME.equals(root.getScheme()) || root.isOpaque() || root.getRawAuthority() == null
        || root.getRawAuthority().isBlank() || root.getRawQuery() != null || root.getRawFragment() != null) {
      throw new IllegalArgumentException("an S3 payload store's root is s3://<bucket>[/<prefix>]: " + root);
    }
    this.bucket = root.getRawAuthority();
    this.rootPath = PayloadKeys.rootPath(root, root.getRawPath());
    this.root = URI.create(SCHEME + "://" + bucket + "/" + rootPath);
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public CompletableFuture<URI> put(String prefix, byte[] bytes) {
    String key = PayloadKeys.newKey(rootPath, prefix);
    URI location = location(key);
    return s3.putObject(r -> r.bucket(bucket).key(key).contentLength((long) bytes.length),
            AsyncRequestBody.fromBytes(bytes))
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
    String key;
    try {
      key = keyOf(location);
    } catch (PayloadStoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    return s3.headObject(r -> r.bucket(bucket).key(key))
        .handle((head, error) -> {
          if (error != null) {
            throw failure("cannot read payload", location, error);
          }
          if (head.contentLength() > maxBytes) {
            throw new PayloadStoreException("payload " + location + " is " + head.contentLength()
                + " bytes, over the limit of " + maxBytes);
          }
          return head;
        })
        .thenCompose(head -> fetch(location, key, head));
  }

  private CompletableFuture<byte[]> fetch(URI location, String key, HeadObjectResponse head) {
    return s3.getObject(r -> r.bucket(bucket).key(key).ifMatch(head.eTag()), AsyncResponseTransformer.toBytes())
        .handle((object, error) -> {
          if (error != null) {
            throw failure("cannot read payload", location, error);
          }
          byte[] bytes = object.asByteArrayUnsafe();
          if (bytes.length != head.contentLength()) {
            throw new PayloadStoreException("payload " + location + " came as " + bytes.length
                + " bytes, where its size said " + head.contentLength());
          }
          return bytes;
        });
  }

  @Override
  public CompletableFuture<Void> delete(URI location) {
    String key;
    try {
      key = keyOf(location);
    } catch (PayloadStoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    // S3 answers a delete of a missing key with success, which is the idempotence wanted.
    return s3.deleteObject(r -> r.bucket(bucket).key(key))
        .handle((response, error) -> {
          if (error != null) {
            throw failure("cannot delete payload", location, error);
          }
          return null;
        });
  }

  /** The key a reference names, if it is one of this store's. */
  private String keyOf(URI location) {
    if (location == null || !SCHEME.equals(location.getScheme()) || location.isOpaque()
        || location.getRawQuery() != null || location.getRawFragment() != null) {
      throw PayloadKeys.refused(location, root, "not an S3 reference");
    }
    if (!bucket.equals(location.getRawAuthority())) {
      throw PayloadKeys.refused(location, root, "another bucket");
    }
    String path = location.getRawPath();
    String key = path == null || path.isEmpty() ? "" : path.substring(1);
    if (!key.startsWith(rootPath) || key.length() == rootPath.length()
        || !PayloadKeys.isPlainPath(key.substring(rootPath.length()))) {
      throw PayloadKeys.refused(location, root, "not below the root prefix");
    }
    return key;
  }

  private URI location(String key) {
    return URI.create(SCHEME + "://" + bucket + "/" + key);
  }

  private static PayloadStoreException failure(String what, URI location, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof PayloadStoreException known) {
      return known;
    }
    if (cause instanceof SdkServiceException service && service.statusCode() == 404) {
      return new PayloadStoreException("payload " + location + " does not exist", cause);
    }
    if (cause instanceof SdkServiceException service && service.statusCode() == 412) {
      return new PayloadStoreException("payload " + location + " was replaced while being read", cause);
    }
    return new PayloadStoreException(what + " " + location + ": " + reason(cause), cause);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static String reason(Throwable error) {
    Throwable cause = unwrap(error);
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }

  @Override
  public void close() {
    if (ownsS3) {
      s3.close();
    }
  }

  @Override
  public String toString() {
    return "S3PayloadStore[" + root + "]";
  }

  /**
   * The provider of {@code s3://<bucket>[/<prefix>]} stores. Settings: {@link SqsClients#ENDPOINT}
   * (here S3's endpoint; without it the SDK's own {@code AWS_ENDPOINT_URL_S3} or
   * {@code AWS_ENDPOINT_URL}), {@link SqsClients#REGION}, {@link SqsClients#CREDENTIALS}. On an
   * endpoint other than AWS's, addressing is path-style and the SDK computes and checks checksums
   * only where the API requires them: its default trailing checksums (aws-chunked uploads) are not
   * understood by every emulator, and the payload's SHA-256 is checked by its reader anyway; and
   * uploads do not ask for "100 Continue", which moto answers in a way the SDK takes as final.
   */
  public static final class Provider implements PayloadStoreProvider {
    @Override
    public String scheme() {
      return SCHEME;
    }

    @Override
    public PayloadStore create(URI root, Map<String, String> settings) {
      boolean emulated = AwsClients.hasEndpoint(settings)
          || System.getenv("AWS_ENDPOINT_URL_S3") != null || System.getenv("AWS_ENDPOINT_URL") != null;
      S3AsyncClientBuilder builder = S3AsyncClient.builder()
          .httpClientBuilder(NettyNioAsyncHttpClient.builder()
              .maxConcurrency(64)
              .connectionAcquisitionTimeout(Duration.ofSeconds(30))
              // A stalled transfer fails rather than hangs.
              .readTimeout(Duration.ofSeconds(30))
              .writeTimeout(Duration.ofSeconds(30)))
          .forcePathStyle(emulated);
      if (emulated) {
        builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            // moto answers "Expect: 100-continue" with an interim 100 that the SDK takes for the answer.
            .serviceConfiguration(S3Configuration.builder().expectContinueEnabled(false).build());
      }
      S3AsyncClient s3 = AwsClients.configure(builder, settings).build();
      try {
        return new S3PayloadStore(s3, true, root);
      } catch (RuntimeException e) {
        s3.close();
        throw e;
      }
    }
  }
}
