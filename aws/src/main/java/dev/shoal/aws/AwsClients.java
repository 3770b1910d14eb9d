package dev.shoal.aws;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Applies Shoal's client settings ({@link SqsClients#ENDPOINT}, {@link SqsClients#REGION},
 * {@link SqsClients#CREDENTIALS}) to any SDK client builder: SQS's, EC2's, S3's, Lambda's. Without
 * an endpoint setting the SDK's own resolution applies ({@code AWS_ENDPOINT_URL} and
 * {@code AWS_ENDPOINT_URL_<SERVICE>}); without a region, the SDK's chain, else us-east-1.
 */
final class AwsClients {
  private AwsClients() {}

  static <B extends AwsClientBuilder<B, ?>> B configure(B builder, Map<String, String> settings) {
    if (hasEndpoint(settings)) {
      builder.endpointOverride(URI.create(settings.get(SqsClients.ENDPOINT)));
    }
    region(settings).ifPresent(builder::region);
    builder.credentialsProvider(credentials(settings));
    return builder;
  }

  /** The region the settings name; else none when the SDK's own chain names one; else us-east-1. */
  private static Optional<Region> region(Map<String, String> settings) {
    String region = settings.get(SqsClients.REGION);
    if (region != null) {
      return Optional.of(Region.of(region));
    }
    boolean sdkKnows = System.getenv("AWS_REGION") != null || System.getProperty("aws.region") != null;
    return sdkKnows ? Optional.empty() : Optional.of(Region.US_EAST_1);
  }

  /** Fixed credentials for emulators ("static"), else the SDK's default chain. */
  private static AwsCredentialsProvider credentials(Map<String, String> settings) {
    return "static".equals(settings.get(SqsClients.CREDENTIALS))
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create("shoal", "shoal"))
        : DefaultCredentialsProvider.builder().build();
  }

  /** An S3 presigner with these settings (it is no client, so {@link #configure} does not apply). */
  static S3Presigner presigner(Map<String, String> settings) {
    S3Presigner.Builder builder = S3Presigner.builder();
    if (hasEndpoint(settings)) {
      builder.endpointOverride(URI.create(settings.get(SqsClients.ENDPOINT)))
          .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
    }
    region(settings).ifPresent(builder::region);
    builder.credentialsProvider(credentials(settings));
    return builder.build();
  }

  static boolean hasEndpoint(Map<String, String> settings) {
    String endpoint = settings.get(SqsClients.ENDPOINT);
    return endpoint != null && !endpoint.isBlank();
  }
}
