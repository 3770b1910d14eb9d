package dev.shoal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.aws.S3Heartbeat;
import dev.shoal.aws.SqsClients;
import dev.shoal.spi.Transport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The README demo on LocalStack, AWS's emulator in a Docker image, by configuration alone: the
 * {@code sqs} transport with LocalStack's endpoint, region and static credentials, in this JVM and
 * in the two worker JVMs it starts (they get the same settings). Runs where a Docker engine can
 * start the image ({@code SHOAL_LOCALSTACK_IMAGE} picks another one; {@code LOCALSTACK_AUTH_TOKEN},
 * when set, is passed to it), and is skipped saying so elsewhere.
 */
@EnabledIf(value = "dockerIsAvailable", disabledReason =
    "no Docker engine here (nor DOCKER_HOST): the LocalStack image cannot start")
class PiOnLocalStackTest {
  /** A pinned image: newer LocalStack releases may ask for an auth token. */
  private static final String DEFAULT_IMAGE = "localstack/localstack:4.0";

  private static LocalStackContainer localStack;

  static boolean dockerIsAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  @BeforeAll
  static void startLocalStack() {
    String image = System.getenv().getOrDefault("SHOAL_LOCALSTACK_IMAGE", DEFAULT_IMAGE);
    localStack = new LocalStackContainer(DockerImageName.parse(image)
        .asCompatibleSubstituteFor("localstack/localstack")).withServices("sqs", "s3");
    String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
    if (token != null && !token.isBlank()) {
      localStack.withEnv("LOCALSTACK_AUTH_TOKEN", token);
    }
    localStack.start();
  }

  @AfterAll
  static void stopLocalStack() {
    if (localStack != null) {
      localStack.stop();
    }
  }

  /** What a user passes to point Shoal at LocalStack (see the README): the same for every JVM. */
  private static Map<String, String> settings() {
    return Map.of(SqsClients.ENDPOINT, localStack.getEndpoint().toString(),
        SqsClients.REGION, localStack.getRegion(),
        SqsClients.CREDENTIALS, "static");
  }

  @Test
  void theDemoRunsOnLocalStacksSqsWithTwoWorkerJvms() throws Exception {
    theDemoRunsOnSqsAt(settings());
  }

  /**
   * The README demo with {@code --transport sqs} and these settings (two worker JVMs, which get
   * them too); then the task queue is on that service, and empty.
   */
  static void theDemoRunsOnSqsAt(Map<String, String> settings) throws Exception {
    List<String> args = new ArrayList<>(List.of("--tasks", "20", "--samples", "20000", "--workers", "2",
        "--idle-timeout", "1", "--transport", "sqs"));
    settings.forEach((key, value) -> {
      args.add("--setting");
      args.add(key + "=" + value);
    });
    String printed = printedBy(() -> PiDemo.main(args.toArray(String[]::new)));

    assertThat(printed).containsPattern("pi ~ 3\\.1\\d+").contains("tasks: 21 submitted, 21 succeeded, 0 failed");
    try (Transport sqs = SqsClients.transport(settings)) {
      String tasks = sqs.queueAddress("shoal-tasks").get(30, TimeUnit.SECONDS);
      assertThat(tasks).as("the task queue lives on that service").contains("shoal-tasks");
      assertThat(sqs.depth(tasks).get(30, TimeUnit.SECONDS).total()).as("every task taken").isZero();
    }
  }

  /** A worker's readiness marker (its heartbeat) on LocalStack's S3, written again at every beat. */
  @Test
  void aWorkersHeartbeatLandsInLocalStacksS3() {
    S3Client s3 = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(localStack.getEndpoint())
        .region(Region.of(localStack.getRegion()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("shoal", "shoal")))
        .forcePathStyle(true)
        .build();
    s3.createBucket(request -> request.bucket("shoal-artifacts"));
    String key = "ready/shoal/i-0123456789abcdef0";
    try (S3Heartbeat heartbeat = new S3Heartbeat(s3, true, "shoal-artifacts", key)) {
      heartbeat.beat();
      Instant first = s3.headObject(request -> request.bucket("shoal-artifacts").key(key)).lastModified();
      heartbeat.beat();
      Instant second = s3.headObject(request -> request.bucket("shoal-artifacts").key(key)).lastModified();

      assertThat(second).isAfterOrEqualTo(first);
      assertThat(s3.listObjectsV2(request -> request.bucket("shoal-artifacts").prefix("ready/shoal/")).contents())
          .singleElement().satisfies(object -> assertThat(object.key()).isEqualTo(key));
    }
  }

  private static String printedBy(Runnable program) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      program.run();
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
