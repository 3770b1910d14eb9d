package dev.shoal.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.testing.Await;
import dev.shoal.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;

/** The client's nudge, against moto's Lambda (and IAM, for the function's role). */
@ExtendWith(Moto.class)
class LambdaNudgerTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @Test
  void nudgesTheDispatcherAsynchronouslyAtMostOncePerInterval() throws java.io.IOException {
    String name = "shoal-dispatcher-" + UUID.randomUUID().toString().substring(0, 8);
    try (IamClient iam = AwsClients.configure(IamClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
             Moto.settings()).build();
         LambdaClient lambda = AwsClients.configure(LambdaClient.builder()
             .httpClientBuilder(UrlConnectionHttpClient.builder()), Moto.settings()).build()) {
      String role = iam.createRole(r -> r.roleName(name).assumeRolePolicyDocument(
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
              + "{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}")).role().arn();
      byte[] jar = Moto.unrunFunctionCode();
      lambda.createFunction(r -> r.functionName(name).runtime(Runtime.JAVA17).role(role)
          .handler("dev.shoal.aws.dispatcher.DispatcherHandler::handleRequest")
          .code(c -> c.zipFile(SdkBytes.fromByteArray(jar))));
      ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:00Z"));

      try (LambdaNudger nudger = LambdaNudger.builder().functionName(name).settings(Moto.settings())
          .minInterval(Duration.ofSeconds(1)).clock(clock).build()) {
        nudger.published(10, 1);
        Await.until(PATIENCE, () -> nudger.invokes() == 1, () -> "the first invoke");
        nudger.published(10, 1);
        clock.advance(Duration.ofMillis(999));
        nudger.published(3, 1);

        clock.advance(Duration.ofMillis(1));
        nudger.published(3, 1);
        nudger.published(0, 1);
        Await.until(PATIENCE, () -> nudger.invokes() == 2, () -> "the second invoke");
        assertThat(nudger.failures()).isZero();
      }

      // The Lambda service unreachable: logged, never thrown into the publisher, not counted.
      int closedPort;
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        closedPort = socket.getLocalPort();
      }
      try (LambdaNudger unreachable = LambdaNudger.builder().functionName(name)
          .settings(java.util.Map.of(SqsClients.ENDPOINT, "http://127.0.0.1:" + closedPort, SqsClients.REGION,
              "us-east-1", SqsClients.CREDENTIALS, "static"))
          .clock(clock).build()) {
        unreachable.published(1, 1);
        Await.until(PATIENCE, () -> unreachable.failures() == 1, () -> "the invoke to fail");
        assertThat(unreachable.invokes()).isZero();
      }
      lambda.deleteFunction(r -> r.functionName(name));
      iam.deleteRole(r -> r.roleName(name));
    }
  }

}
