package dev.shoal.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClientBuilder;

/**
 * Builds SQS clients from Shoal's settings. Without an explicit endpoint the SDK's own resolution
 * applies, which honours {@code AWS_ENDPOINT_URL} and {@code AWS_ENDPOINT_URL_SQS}, so the same
 * code talks to AWS, LocalStack or an embedded server.
 */
public final class SqsClients {
  /** Setting: endpoint URL override, e.g. {@code http://127.0.0.1:9324}. */
  public static final String ENDPOINT = "endpoint";
  /** Setting: region, default from the SDK's chain (AWS_REGION), else us-east-1. */
  public static final String REGION = "region";
  /** Setting: "static" to use the fixed test credentials of local emulators, which accept any. */
  public static final String CREDENTIALS = "credentials";
  /** Setting: largest message body in bytes. */
  public static final String MAX_MESSAGE_BYTES = "maxMessageBytes";
  /** Environment variable read when no endpoint setting is given. */
  public static final String ENDPOINT_ENV = "SHOAL_SQS_ENDPOINT";

  private SqsClients() {}

  public static SqsAsyncClient create(Map<String, String> settings) {
    SqsAsyncClientBuilder builder = SqsAsyncClient.builder()
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .maxConcurrency(64)
            .connectionAcquisitionTimeout(Duration.ofSeconds(30))
            // A long poll lasts up to 20 s; the read timeout must be longer.
            .readTimeout(Duration.ofSeconds(30)));
    String endpoint = settings.getOrDefault(ENDPOINT, System.getenv(ENDPOINT_ENV));
    if (endpoint != null && !endpoint.isBlank()) {
      builder.endpointOverride(URI.create(endpoint));
    }
    String region = settings.get(REGION);
    if (region != null) {
      builder.region(Region.of(region));
    } else if (System.getenv("AWS_REGION") == null && System.getProperty("aws.region") == null) {
      builder.region(Region.US_EAST_1);
    }
    if ("static".equals(settings.get(CREDENTIALS))) {
      builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("shoal", "shoal")));
    } else {
      builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
    }
    return builder.build();
  }

  /** An SQS transport that owns a client built from these settings. */
  public static SqsTransport transport(Map<String, String> settings) {
    SqsTransport.Builder builder = SqsTransport.builder().client(create(settings), true);
    String max = settings.get(MAX_MESSAGE_BYTES);
    if (max != null) {
      builder.maxMessageBytes(Integer.parseInt(max));
    }
    return builder.build();
  }
}
