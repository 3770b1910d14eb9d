package dev.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.aws.Ec2Provider;
import dev.shoal.aws.Moto;
import dev.shoal.aws.SqsClients;
import dev.shoal.cli.CliRun.Result;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * shoal dispatch --cloud aws and shoal status --cloud aws against moto's server (SQS, EC2, S3): the
 * Lambda's settings, as variables overridden on the command line, and its scaling step, for real.
 */
@ExtendWith(Moto.class)
class DispatchOnMotoTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CliRun shoal = CliRun.shoal();
  private Transport sqs;
  private Ec2Client ec2;
  private String pool;
  private String queue;
  private String launchTemplate;

  @BeforeEach
  void stack() {
    sqs = SqsClients.transport(Moto.settings());
    ec2 = Ec2Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).endpointOverride(Moto.endpoint())
        .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create("t", "t"))).build();
    String unique = UUID.randomUUID().toString().substring(0, 8);
    pool = "cli-" + unique;
    queue = sqs.createQueue("shoal-tasks-" + unique, QueueOptions.defaults()).join();
    String ami = ec2.describeImages().images().get(0).imageId();
    launchTemplate = ec2.createLaunchTemplate(r -> r.launchTemplateName("shoal-workers-" + unique)
        .launchTemplateData(d -> d.imageId(ami).instanceType("c7i.large"))).launchTemplate().launchTemplateId();
  }

  @AfterEach
  void cleanUp() {
    List<String> ids = instances().stream().map(Instance::instanceId).toList();
    if (!ids.isEmpty()) {
      ec2.terminateInstances(r -> r.instanceIds(ids));
    }
    sqs.deleteQueue(queue).join();
    sqs.close();
    ec2.close();
  }

  /** The pool's instances that are not terminated, as moto has them. */
  private List<Instance> instances() {
    return ec2.describeInstances(r -> r.filters(
            Filter.builder().name("tag:" + Ec2Provider.POOL_TAG).values(pool).build(),
            Filter.builder().name("instance-state-name").values("pending", "running").build()))
        .reservations().stream().flatMap(reservation -> reservation.instances().stream()).toList();
  }

  /** The Lambda's variables for this stack, as --setting, and moto as the clients' endpoint. */
  private List<String> cloud(String settingOption) {
    Map<String, String> settings = Map.of(
        "SHOAL_TASK_QUEUE_URL", queue,
        "SHOAL_POOL", pool,
        "SHOAL_LAUNCH_TEMPLATE_ID", launchTemplate,
        "SHOAL_WORKER_JAR_URL", "s3://shoal-artifacts/shoal-worker.jar",
        "SHOAL_MAX_WORKERS", "5",
        "SHOAL_SLOTS_PER_WORKER", "2");
    List<String> args = new ArrayList<>(List.of("--cloud", "aws"));
    settings.forEach((key, value) -> args.addAll(List.of(settingOption, key + "=" + value)));
    Moto.settings().forEach((key, value) -> args.addAll(List.of("--client-setting", key + "=" + value)));
    return args;
  }

  private void publish(int messages) {
    sqs.send(queue, IntStream.range(0, messages).mapToObj(i -> ("m" + i).getBytes(StandardCharsets.UTF_8))
        .toList()).join();
  }

  private Result dispatch(String... more) {
    List<String> args = new ArrayList<>(List.of("dispatch"));
    args.addAll(cloud("--setting"));
    args.addAll(List.of(more));
    return shoal.run(args.toArray(String[]::new));
  }

  @Test
  void oneStepLaunchesForTheBacklogAndPrintsTheDecisionAndItsReason() {
    publish(7);

    Result result = dispatch();

    assertThat(result.exit()).as("%s", result).isZero();
    // 7 tasks, 2 slots a worker: 4 workers.
    assertThat(result.out()).contains("scale out 0 -> 4: demand 7 tasks > capacity 0").contains("; launched i-");
    assertThat(result.out().lines()).hasSize(1);
    assertThat(instances()).hasSize(4);
  }

  @Test
  void aLoopStepsAgainAndDoesNotLaunchTwice() {
    publish(3);

    Result result = dispatch("--loop", "--every", "200ms", "--steps", "3");

    assertThat(result.exit()).as("%s", result).isZero();
    List<String> lines = result.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("scale out 0 -> 2");
    assertThat(lines.get(1)).doesNotContain("launched");
    assertThat(lines.get(2)).doesNotContain("launched");
    assertThat(instances()).hasSize(2);
  }

  @Test
  void jsonPrintsTheReport() throws Exception {
    publish(1);

    Result result = dispatch("--json");

    assertThat(result.exit()).as("%s", result).isZero();
    JsonNode report = JSON.readTree(result.out());
    assertThat(report.path("action").asText()).isEqualTo("SCALE_OUT");
    assertThat(report.path("launched")).hasSize(1);
    assertThat(report.path("visibleMessages").asLong()).isEqualTo(1);
  }

  @Test
  void theProcessEnvironmentIsReadAndSettingsOverrideIt() {
    publish(7);
    List<String> args = new ArrayList<>(List.of("dispatch"));
    args.addAll(cloud("--setting"));
    args.addAll(List.of("--setting", "SHOAL_MAX_WORKERS=1"));

    Result result = shoal.env(Map.of("SHOAL_MAX_WORKERS", "3")).run(args.toArray(String[]::new));

    assertThat(result.exit()).as("%s", result).isZero();
    assertThat(result.out()).contains("scale out 0 -> 1").contains("capped by max 1");
    assertThat(instances()).hasSize(1);
  }

  @Test
  void aStepThatCannotReadTheQueueFailsWithExitOne() {
    List<String> args = new ArrayList<>(List.of("dispatch"));
    args.addAll(cloud("--setting"));
    args.addAll(List.of("--setting", "SHOAL_TASK_QUEUE_URL=" + queue + "-gone"));

    Result result = shoal.run(args.toArray(String[]::new));

    assertThat(result.exit()).as("%s", result).isEqualTo(1);
    assertThat(result.err()).contains("shoal dispatch: step failed");
    assertThat(instances()).isEmpty();
  }

  @Test
  void statusShowsThePoolItsDispatcherSees() throws Exception {
    publish(3);
    assertThat(dispatch().exit()).isZero();
    List<String> args = new ArrayList<>(List.of("status", "--json"));
    args.addAll(cloud("--cloud-setting"));

    Result result = shoal.run(args.toArray(String[]::new));
    Result table = shoal.run(withoutJson(args));

    assertThat(result.exit()).as("%s", result).isZero();
    JsonNode status = JSON.readTree(result.out());
    assertThat(status.path("queues").get(0).path("address").asText()).isEqualTo(queue);
    assertThat(status.path("queues").get(0).path("waiting").asLong()).isEqualTo(3);
    assertThat(status.path("pool").path("cloud").asText()).isEqualTo("aws");
    assertThat(status.path("pool").path("name").asText()).isEqualTo(pool);
    assertThat(status.path("pool").path("workers")).hasSize(2);
    assertThat(status.path("pool").path("workers").get(0).path("phase").asText()).isIn("pending", "running");
    assertThat(table.exit()).as("%s", table).isZero();
    assertThat(table.out()).contains("pool " + pool + " (aws): 2 worker(s)");
  }

  private static String[] withoutJson(List<String> args) {
    return args.stream().filter(arg -> !arg.equals("--json")).toArray(String[]::new);
  }
}
