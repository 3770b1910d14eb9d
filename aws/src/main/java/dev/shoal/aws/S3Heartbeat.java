package dev.shoal.aws;

import dev.shoal.worker.Heartbeat;
import dev.shoal.worker.HeartbeatProvider;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A worker's heartbeat as an empty S3 object, written again at every beat: its last-modified time
 * is when the worker was last seen alive. The {@link Ec2Provider} reads these objects (its
 * readiness markers, {@code ready/<pool>/<instance-id>}) to tell a polling worker from a pending
 * one and a live one from a silent one. The worker's instance role needs {@code s3:PutObject} on
 * the key, nothing more.
 */
public final class S3Heartbeat implements Heartbeat {
  /** One beat may take this long before it counts as failed; the next period tries again. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final S3Client s3;
  private final boolean ownsS3;
  private final String bucket;
  private final String key;

  /** A heartbeat writing {@code key} in {@code bucket} with this client, closed with it if {@code owned}. */
  public S3Heartbeat(S3Client s3, boolean owned, String bucket, String key) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.ownsS3 = owned;
    this.bucket = requireNonBlank(bucket, "bucket");
    this.key = requireNonBlank(key, "key");
  }

  @Override
  public void beat() {
    s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.empty());
  }

  @Override
  public void close() {
    if (ownsS3) {
      s3.close();
    }
  }

  @Override
  public String toString() {
    return "S3Heartbeat[s3://" + bucket + "/" + key + "]";
  }

  private static String requireNonBlank(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("an S3 heartbeat needs a " + name);
    }
    return value;
  }

  /**
   * The {@link HeartbeatProvider} of {@code s3://bucket/key} targets. Its client takes the region
   * and credentials of the worker's transport settings, not their endpoint (the queue service's);
   * an S3 endpoint comes from the SDK's own {@code AWS_ENDPOINT_URL_S3} (an emulator's, in tests).
   */
  public static final class Provider implements HeartbeatProvider {
    @Override
    public String scheme() {
      return "s3";
    }

    @Override
    public Heartbeat create(URI target, Map<String, String> transportSettings) {
      String bucket = target.getHost();
      String path = target.getPath();
      if (!"s3".equals(target.getScheme()) || bucket == null || path == null || path.length() < 2) {
        throw new IllegalArgumentException("an S3 heartbeat's target is s3://bucket/key: " + target);
      }
      Map<String, String> settings = new HashMap<>(transportSettings);
      settings.remove(SqsClients.ENDPOINT);
      boolean emulated = System.getenv("AWS_ENDPOINT_URL_S3") != null || System.getenv("AWS_ENDPOINT_URL") != null;
      S3Client s3 = AwsClients.configure(S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
          .forcePathStyle(emulated)
          .overrideConfiguration(c -> c.apiCallTimeout(CALL_TIMEOUT)), settings).build();
      return new S3Heartbeat(s3, true, bucket, path.substring(1));
    }
  }
}
