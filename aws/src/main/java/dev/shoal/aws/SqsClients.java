package dev.shoal.aws;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
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
  /**
   * Setting: the HTTP client under the SDK, {@value #NETTY_HTTP} (the default: the SDK's Netty
   * client) or {@value #JDK_HTTP} (the JDK's; measured slower on the queue bench, issue 12 in
   * bench/RESULTS.md, and kept as a choice). Without the setting,
   * {@value #HTTP_CLIENT_ENV} may name one; local worker JVMs inherit it.
   */
  public static final String HTTP_CLIENT = "httpClient";
  public static final String JDK_HTTP = "jdk";
  public static final String NETTY_HTTP = "netty";
  /** Environment variable read when no {@link #HTTP_CLIENT} setting is given. */
  public static final String HTTP_CLIENT_ENV = "SHOAL_SQS_HTTP_CLIENT";
  /** Environment variable read when no endpoint setting is given. */
  public static final String ENDPOINT_ENV = "SHOAL_SQS_ENDPOINT";

  private SqsClients() {}

  public static SqsAsyncClient create(Map<String, String> settings) {
    SqsAsyncClientBuilder builder = SqsAsyncClient.builder();
    String fromEnvironment = System.getenv(HTTP_CLIENT_ENV);
    String http = settings.getOrDefault(HTTP_CLIENT,
        fromEnvironment == null || fromEnvironment.isBlank() ? NETTY_HTTP : fromEnvironment.trim());
    switch (http) {
      // A long poll lasts up to 20 s; a request may take longer than that.
      case JDK_HTTP -> builder.httpClientBuilder(JdkAsyncHttpClient.builder(Duration.ofSeconds(10), Duration.ofSeconds(30)))
          // The SDK would hand every completed response to its own executor, one more thread between the
          // socket and the caller; this client already completes on threads of its own, off the selector.
          .asyncConfiguration(async -> async.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
              Runnable::run));
      case NETTY_HTTP -> builder.httpClientBuilder(NettyNioAsyncHttpClient.builder()
          .maxConcurrency(64)
          .connectionAcquisitionTimeout(Duration.ofSeconds(30))
          .readTimeout(Duration.ofSeconds(30)));
      default -> throw new IllegalArgumentException("setting " + HTTP_CLIENT + " (or " + HTTP_CLIENT_ENV
          + "): unknown HTTP client '" + http
          + "'; use " + JDK_HTTP + " or " + NETTY_HTTP);
    }
    return AwsClients.configure(builder, withEndpointFromEnvironment(settings)).build();
  }

  /** The settings, with {@link #ENDPOINT} from {@value #ENDPOINT_ENV} when they do not say it. */
  private static Map<String, String> withEndpointFromEnvironment(Map<String, String> settings) {
    String fromEnvironment = System.getenv(ENDPOINT_ENV);
    if (fromEnvironment == null || settings.containsKey(ENDPOINT)) {
      return settings;
    }
    Map<String, String> withEndpoint = new HashMap<>(settings);
    withEndpoint.put(ENDPOINT, fromEnvironment);
    return withEndpoint;
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
