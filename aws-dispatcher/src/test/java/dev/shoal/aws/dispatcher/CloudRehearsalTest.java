package dev.shoal.aws.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.DataFlowKernel;
import dev.shoal.ShutdownMode;
import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import dev.shoal.aws.Ec2Provider;
import dev.shoal.aws.MotoBurstMapping;
import dev.shoal.aws.Moto;
import dev.shoal.aws.SqsClients;
import dev.shoal.dispatcher.ScalingReport;
import dev.shoal.embedded.EmbeddedSqsServer;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.spi.BurstSwitch;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import dev.shoal.testing.Await;
import dev.shoal.spi.ForwardingTransport;
import dev.shoal.testing.ManualClock;
import dev.shoal.worker.HeartbeatProvider;
import dev.shoal.worker.WorkerOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The cloud rehearsal: the dispatcher Lambda's handler, in-process, against real emulators: the
 * task queue on ElasticMQ, EC2 and S3 on moto's server. Time is a test clock (instances' launch
 * times are moto's real ones, so the clock starts at the real now).
 */
@ExtendWith(Moto.class)
class CloudRehearsalTest {
  private static EmbeddedSqsServer sqsServer;
  private static Transport transport;
  private static Ec2Client ec2;
  private static S3Client s3;
  private static String ami;
  private static String templateAmi;

  private static final App1<Long, Long> NOOP = Apps.define("rehearsal.noop").java(Long.class, Long.class, x -> x);

  @TempDir
  Path runDir;

  private final ManualClock clock = new ManualClock(Instant.now());
  private String pool;
  private String queueUrl;
  private String launchTemplateId;
  private String bucket;
  private final List<String> bystanders = new ArrayList<>();

  @BeforeAll
  static void emulators() {
    sqsServer = EmbeddedSqsServer.start();
    transport = SqsClients.transport(Map.of(SqsClients.ENDPOINT, sqsServer.endpoint().toString(),
        SqsClients.CREDENTIALS, "static"));
    StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t"));
    URI moto = Moto.endpoint();
    ec2 = Ec2Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).endpointOverride(moto)
        .region(Region.US_EAST_1).credentialsProvider(credentials).build();
    s3 = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).endpointOverride(moto)
        .forcePathStyle(true).region(Region.US_EAST_1).credentialsProvider(credentials).build();
    var images = ec2.describeImages().images();
    ami = images.get(0).imageId();
    // Another image for the launch template, so the instances show that they came from it.
    templateAmi = images.get(1).imageId();
  }

  @AfterAll
  static void stopEmulators() {
    if (transport != null) {
      transport.close();
    }
    if (sqsServer != null) {
      sqsServer.close();
    }
    if (ec2 != null) {
      ec2.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @BeforeEach
  void stack() {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    pool = "rehearsal-" + unique;
    bucket = "shoal-artifacts-" + unique;
    s3.createBucket(r -> r.bucket(bucket));
    queueUrl = transport.createQueue("shoal-tasks-" + unique, QueueOptions.defaults()).join();
    launchTemplateId = ec2.createLaunchTemplate(r -> r.launchTemplateName("shoal-workers-" + unique)
        .launchTemplateData(d -> d.imageId(templateAmi).instanceType("c7i.large")))
        .launchTemplate().launchTemplateId();
    // Bystanders: an instance of another pool and one of nobody's; the dispatcher must never touch them.
    bystanders.add(ec2.runInstances(r -> r.imageId(ami).minCount(1).maxCount(1)
        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
            .tags(Tag.builder().key(Ec2Provider.POOL_TAG).value(pool + "-other").build()).build()))
        .instances().get(0).instanceId());
    bystanders.add(ec2.runInstances(r -> r.imageId(ami).minCount(1).maxCount(1)).instances().get(0).instanceId());
  }

  @AfterEach
  void bystandersAreUntouched() {
    for (String id : bystanders) {
      assertThat(instance(id).state().name()).as("bystander %s", id).isEqualTo(InstanceStateName.RUNNING);
    }
    ec2.terminateInstances(r -> r.instanceIds(bystanders));
  }

  private DispatcherHandler handler(Map<String, String> overrides) {
    return handler(overrides, null);
  }

  private DispatcherHandler handler(Map<String, String> overrides, BurstSwitch burst) {
    Map<String, String> env = new HashMap<>(Map.of(
        DispatcherSettings.TASK_QUEUE_URL, queueUrl,
        DispatcherSettings.POOL, pool,
        DispatcherSettings.MIN_WORKERS, "0",
        DispatcherSettings.MAX_WORKERS, "5",
        DispatcherSettings.SLOTS_PER_WORKER, "2",
        DispatcherSettings.IDLE_COOLDOWN, "PT1M",
        DispatcherSettings.PENDING_DEADLINE, "PT2M",
        DispatcherSettings.LAUNCH_TEMPLATE_ID, launchTemplateId,
        DispatcherSettings.WORKER_JAR_URL, "s3://" + bucket + "/shoal-worker.jar",
        DispatcherSettings.READY_BUCKET, bucket));
    env.put(DispatcherSettings.LAUNCH_TEMPLATE_VERSION, "$Latest");
    env.putAll(overrides);
    DispatcherSettings settings = DispatcherSettings.fromEnvironment(env);
    Ec2Provider provider = DispatcherHandler.providerBuilder(settings, "us-east-1").ec2(ec2, false).s3(s3, false)
        .presigner(S3Presigner.builder().endpointOverride(Moto.endpoint()).region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build(), true)
        .clock(clock).build();
    return new DispatcherHandler(settings, transport, provider, burst, clock);
  }

  @Test
  void aBurstLaunchesTheRightNumberOfTaggedInstancesWithTheWorkerUserDataAndNotTwice() throws Exception {
    DispatcherHandler handler = handler(Map.of());
    publish(7);

    JsonNode outcome = invoke(handler, "{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\"}");

    // 7 tasks, 2 slots a worker: 4 workers.
    assertThat(outcome.path("action").asText()).isEqualTo("SCALE_OUT");
    assertThat(outcome.path("launched")).hasSize(4);
    List<Instance> instances = pool();
    assertThat(instances).hasSize(4);
    for (Instance instance : instances) {
      // Launched from the template (moto applies its image, not its instance type).
      assertThat(instance.imageId()).isEqualTo(templateAmi);
      String userData = new String(Base64.getDecoder().decode(ec2.describeInstanceAttribute(r -> r
          .instanceId(instance.instanceId()).attribute(InstanceAttributeName.USER_DATA)).userData().value()),
          StandardCharsets.UTF_8);
      assertThat(userData)
          // The jar through a link presigned at launch: no AWS CLI on the image.
          .containsPattern("-o worker.jar 'http[^']*/" + bucket + "/shoal-worker\\.jar\\?[^']*X-Amz-Signature=")
          .contains("dev.shoal.worker.WorkerMain '--transport' 'sqs' '--queue' '" + queueUrl + "' '--slots' '2'")
          .contains("'--setting' 'region=us-east-1'")
          // The silence limit of 5 minutes: a beat a minute.
          .contains("SHOAL_HEARTBEAT='s3://" + bucket + "/ready/" + pool + "/'\"$ID\" SHOAL_HEARTBEAT_PERIOD='PT1M'")
          .doesNotContain("aws s3")
          // No payload store configured: the workers are told none.
          .doesNotContain("--payload-store");
    }

    // Asked again (a nudge) while they boot: pending instances count, nothing is launched twice.
    JsonNode again = invoke(handler, "{\"source\":\"shoal.nudge\",\"tasks\":7}");
    assertThat(again.path("launched")).isEmpty();
    assertThat(again.path("action").asText()).isEqualTo("HOLD");
    assertThat(pool()).hasSize(4);

    // More work arrives: scale out to the max of 5, no further.
    publish(20);
    assertThat(invoke(handler, "{}").path("launched")).hasSize(1);
    assertThat(pool()).hasSize(5);
  }

  @Test
  void theWorkersAreToldThePoolsPayloadStore() throws Exception {
    DispatcherHandler handler = handler(Map.of(DispatcherSettings.WORKER_PAYLOAD_STORE, "s3://" + bucket + "/payloads"));
    publish(1);

    assertThat(handler.evaluate().launched()).hasSize(1);

    // The workers read large arguments and write large results only through this store: the one the clients use.
    assertThat(userData(pool().get(0))).contains("'--payload-store' 's3://" + bucket + "/payloads'");
  }

  /**
   * The hybrid's switch end to end on moto's Lambda: a burst worker function mapped to a queue (moto's
   * SQS, standing in for the task queue, which is ElasticMQ's here), off as the template creates it.
   * A burst on an empty pool launches instances and turns the mapping on; once they poll it is off.
   */
  @Test
  void aBurstTurnsTheWorkerFunctionsMappingOnWhileInstancesBootAndOffOnceTheyPoll() throws Exception {
    try (MotoBurstMapping mapping = new MotoBurstMapping(pool + "-burst-worker");
         BurstSwitch burst = mapping.burstSwitch()) {
      String uuid = mapping.uuid();
      DispatcherHandler handler = handler(Map.of(DispatcherSettings.BURST_MAPPING, uuid), burst);
      publish(7);

      JsonNode outcome = invoke(handler, "{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\"}");
      assertThat(outcome.path("launched")).hasSize(4);
      assertThat(outcome.path("burst").asText()).isEqualTo("TURN_ON");
      assertThat(outcome.path("reason").asText()).endsWith(
          "; burst on: demand 7 tasks > running capacity 0 while 4 workers boot");
      assertThat(mapping.state()).isEqualTo("Enabled");

      // Asked again while they boot: on it stays, nothing launched twice.
      ScalingReport booting = handler.evaluate();
      assertThat(booting.burst()).isEqualTo("STAY");
      assertThat(booting.burstOn()).isTrue();
      assertThat(booting.launched()).isEmpty();

      // The instances poll: their 8 slots hold the 7 tasks, so the functions step back.
      pool().forEach(instance -> markReady(instance.instanceId()));
      ScalingReport caughtUp = handler.evaluate();
      assertThat(caughtUp.burst()).isEqualTo("TURN_OFF");
      assertThat(caughtUp.reason()).endsWith("; burst off: demand 7 tasks within running capacity 8");
      assertThat(mapping.state()).isEqualTo("Disabled");
    }
  }

  @Test
  void theWorkersAreToldToServeTheVmOnlyQueueAndItsTasksAreTheirDemand() throws Exception {
    String vmQueue = transport.createQueue(pool + "-vm-tasks", QueueOptions.defaults()).join();
    DispatcherHandler handler = handler(Map.of(DispatcherSettings.VM_QUEUE_URL, vmQueue));
    transport.send(vmQueue, List.of("a".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8),
        "c".getBytes(StandardCharsets.UTF_8))).join();

    // 3 VM-only tasks, 2 slots a worker: 2 workers, each serving both queues.
    assertThat(handler.evaluate().launched()).hasSize(2);
    assertThat(userData(pool().get(0))).contains("'--queue' '" + queueUrl + "'")
        .contains("'--vm-queue' '" + vmQueue + "'");
  }

  private String userData(Instance instance) {
    return new String(Base64.getDecoder().decode(ec2.describeInstanceAttribute(r -> r
        .instanceId(instance.instanceId()).attribute(InstanceAttributeName.USER_DATA)).userData().value()),
        StandardCharsets.UTF_8);
  }

  @Test
  void anIdlePoolScalesToMinWithoutStoppingAnyWorker() throws Exception {
    DispatcherHandler handler = handler(Map.of(DispatcherSettings.MIN_WORKERS, "1"));

    // An empty pool is brought up to min.
    ScalingReport first = handler.evaluate();
    assertThat(first.launched()).hasSize(1);
    // Work comes and goes: the pool grows to 3, and they all poll.
    publish(5);
    assertThat(handler.evaluate().launched()).hasSize(2);
    pool().forEach(instance -> markReady(instance.instanceId()));
    drain();

    // Idle, but not yet for the cool-down: hold.
    clock.advance(Duration.ofSeconds(30));
    assertThat(handler.evaluate().action()).isEqualTo("HOLD");
    // Idle past the cool-down: the decision is to scale in to min, and it stops nobody.
    clock.advance(Duration.ofSeconds(31));
    ScalingReport idle = handler.evaluate();
    assertThat(idle.action()).isEqualTo("SCALE_IN");
    assertThat(idle.desiredWorkers()).isEqualTo(1);
    assertThat(idle.launched()).isEmpty();
    assertThat(idle.terminatedStuck()).isEmpty();
    assertThat(pool()).hasSize(3);

    // Idle workers leave by themselves (their VMs power off); the dispatcher keeps min.
    List<String> all = pool().stream().map(Instance::instanceId).toList();
    ec2.terminateInstances(r -> r.instanceIds(all.subList(0, 2)));
    ScalingReport atMin = handler.evaluate();
    assertThat(atMin.action()).isEqualTo("HOLD");
    assertThat(atMin.currentWorkers()).isEqualTo(1);
    ec2.terminateInstances(r -> r.instanceIds(all.get(2)));
    assertThat(handler.evaluate().launched()).hasSize(1);
    assertThat(pool()).hasSize(1);
  }

  @Test
  void anInstanceThatNeverStartsPollingIsTerminatedAfterThePendingDeadline() throws Exception {
    DispatcherHandler handler = handler(Map.of());
    publish(4);
    List<String> launched = handler.evaluate().launched();
    assertThat(launched).hasSize(2);
    String polling = launched.get(0);
    String stuck = launched.get(1);
    markReady(polling);

    clock.advance(Duration.ofMinutes(1));
    assertThat(handler.evaluate().terminatedStuck()).isEmpty();
    assertThat(instance(stuck).state().name()).isEqualTo(InstanceStateName.RUNNING);

    clock.advance(Duration.ofMinutes(1).plusSeconds(5));
    ScalingReport outcome = handler.evaluate();

    assertThat(outcome.terminatedStuck()).containsExactly(stuck);
    assertThat(instance(stuck).state().name()).isIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);
    assertThat(instance(polling).state().name()).isEqualTo(InstanceStateName.RUNNING);
    // The work is still there: the stuck one is replaced, not counted.
    assertThat(outcome.currentWorkers()).isEqualTo(1);
    assertThat(outcome.launched()).hasSize(1).doesNotContain(stuck);
  }

  @Test
  void aPendingInstanceIsStuckFromItsLaunchTimePlusThePendingDeadlineAndNotASecondBefore() {
    DispatcherHandler handler = handler(Map.of());
    // 4 tasks, 2 slots a worker: 2 instances.
    publish(4);
    List<String> launched = handler.evaluate().launched();
    assertThat(launched).hasSize(2);
    String ready = launched.get(0);
    String stuck = launched.get(1);
    markReady(ready);
    Instant deadline = instance(stuck).launchTime().plus(Duration.ofMinutes(2));

    clock.advance(Duration.between(clock.instant(), deadline.minusSeconds(1)));
    assertThat(handler.evaluate().terminatedStuck()).isEmpty();
    clock.advance(Duration.ofSeconds(2));
    assertThat(handler.evaluate().terminatedStuck()).containsExactly(stuck);

    assertThat(instance(stuck).state().name()).isIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);
    assertThat(instance(ready).state().name()).isEqualTo(InstanceStateName.RUNNING);
    assertThat(pool()).extracting(Instance::instanceId).contains(ready).doesNotContain(stuck);
  }

  /**
   * A worker that hung after it reported ready, or whose VM rebooted (user data runs once, so
   * nothing restarts it), stops beating its heartbeat: once its last beat is the silence limit
   * old, the dispatcher terminates it and launches a replacement, and leaves the live one alone.
   */
  @Test
  void aPollingInstanceWhoseHeartbeatStoppedIsTerminatedAfterTheSilenceLimitAndReplaced() {
    DispatcherHandler handler = handler(Map.of(DispatcherSettings.SILENCE_LIMIT, "PT5M",
        DispatcherSettings.PENDING_DEADLINE, "PT1H"));
    publish(4);
    List<String> launched = handler.evaluate().launched();
    assertThat(launched).hasSize(2);
    String hung = launched.get(0);
    String alive = launched.get(1);
    markReady(hung);
    Instant hungSeen = lastBeat(hung);
    // The live one beats later (S3 keeps seconds): wait for the next second of the real clock.
    Await.until(Duration.ofSeconds(10), () -> Instant.now().isAfter(hungSeen.plusSeconds(1)), () -> "a later second");
    markReady(alive);
    assertThat(lastBeat(alive)).isAfter(hungSeen);

    clock.advance(Duration.between(clock.instant(), hungSeen.plus(Duration.ofMinutes(5)).minusMillis(1)));
    assertThat(handler.evaluate().terminatedSilent()).isEmpty();
    clock.advance(Duration.ofMillis(1));
    ScalingReport outcome = handler.evaluate();

    assertThat(outcome.terminatedSilent()).containsExactly(hung);
    assertThat(outcome.terminatedStuck()).isEmpty();
    assertThat(instance(hung).state().name()).isIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);
    assertThat(instance(alive).state().name()).isEqualTo(InstanceStateName.RUNNING);
    // The work is still there: the silent one is not counted, and is replaced.
    assertThat(outcome.currentWorkers()).isEqualTo(1);
    assertThat(outcome.launched()).hasSize(1).doesNotContain(hung);
    assertThat(handler.evaluate().terminatedSilent()).as("terminated once").isEmpty();
  }

  /**
   * The whole chain with a real worker JVM, as the user data starts it: WorkerMain finds the S3
   * heartbeat by its scheme (shoal-aws's service file), beats it in the bucket as soon as it polls
   * the task queue, and that marker is what makes its instance count as polling: past the pending
   * deadline, it is not terminated as stuck.
   */
  @Test
  void aWorkerJvmBeatsItsOwnHeartbeatSoItsInstanceCountsAsPolling() throws Exception {
    DispatcherHandler handler = handler(Map.of(DispatcherSettings.MIN_WORKERS, "1"));
    String id = handler.evaluate().launched().get(0);
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), WorkerOptions.MAIN_CLASS, "--transport", "sqs",
        "--setting", SqsClients.ENDPOINT + "=" + sqsServer.endpoint(), "--setting", SqsClients.CREDENTIALS + "=static",
        "--setting", SqsClients.REGION + "=us-east-1", "--queue", queueUrl, "--receive-wait", "PT1S",
        "--idle-timeout", "PT3S", "--worker-id", id)
        .redirectErrorStream(true);
    builder.environment().putAll(Map.of(HeartbeatProvider.TARGET_ENV,
        "s3://" + bucket + "/" + Ec2Provider.READY_PREFIX + pool + "/" + id,
        "AWS_ENDPOINT_URL_S3", Moto.endpoint().toString()));
    Process worker = builder.start();
    worker.getOutputStream().close();
    String out;
    try {
      out = new String(worker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      worker.destroyForcibly();
    }

    assertThat(worker.exitValue()).as(out).isZero();
    assertThat(out).contains("worker " + id + " ready");
    Instant seen = lastBeat(id);
    clock.advance(Duration.ofMinutes(3));
    ScalingReport outcome = handler.evaluate();
    assertThat(outcome.terminatedStuck()).as("pending deadline 2 minutes; last seen %s", seen).isEmpty();
    assertThat(instance(id).state().name()).isEqualTo(InstanceStateName.RUNNING);
  }

  @Test
  void theWorkersHeartbeatPeriodIsAFifthOfTheSilenceLimitWithinBounds() {
    assertThat(DispatcherHandler.heartbeatPeriod(Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(1));
    assertThat(DispatcherHandler.heartbeatPeriod(Duration.ofMinutes(2))).isEqualTo(Duration.ofSeconds(24));
    assertThat(DispatcherHandler.heartbeatPeriod(Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(1));
    assertThat(DispatcherHandler.heartbeatPeriod(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aThousandTasksBundledByShoalsClientLaunchOneInstanceAPerTaskSlotOnASchedule() throws Exception {
    DispatcherHandler handler = handler(Map.of(DispatcherSettings.MAX_WORKERS, "10",
        DispatcherSettings.SLOTS_PER_WORKER, "1"));
    long messages = publishWithShoalsClient(1_000, true, new ArrayList<>());
    // Sized from messages, as before, this would launch one instance per message.
    assertThat(messages).isLessThan(10);

    JsonNode outcome = invoke(handler, "{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\"}");

    assertThat(outcome.path("launched")).hasSize(10);
    assertThat(outcome.path("reason").asText()).contains("tasks in " + messages + " messages");
    assertThat(pool()).hasSize(10);
  }

  @Test
  void aNudgeCountingOnlyTheBurstsLoneFirstTaskStillLaunchesForTheWholeBurst() throws Exception {
    DispatcherHandler handler = handler(Map.of(DispatcherSettings.MAX_WORKERS, "10",
        DispatcherSettings.SLOTS_PER_WORKER, "1"));
    publishWithShoalsClient(1_000, true, new ArrayList<>());

    // The nudger invokes at most once a second, so for a burst it counts the first publish: the
    // task that found the queue idle, alone in its message.
    JsonNode outcome = invoke(handler, nudge(new int[] {1, 1}));

    assertThat(outcome.path("launched")).hasSize(10);
    assertThat(pool()).hasSize(10);
  }

  @Test
  void withoutTheQueuesRecordTheLastNudgesCountsSizeThePoolAlsoOnTheNextSchedule() throws Exception {
    DispatcherHandler handler = handler(Map.of(DispatcherSettings.MAX_WORKERS, "10",
        DispatcherSettings.SLOTS_PER_WORKER, "1"));
    List<int[]> publishes = new ArrayList<>();
    // A client not allowed to tag the queue: no record.
    long messages = publishWithShoalsClient(1_000, false, publishes);
    String schedule = "{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\"}";

    // Knowing nothing, the configured ratio (1): one instance per message.
    assertThat(invoke(handler, schedule).path("launched")).hasSize((int) messages);
    int[] burst = publishes.get(publishes.size() - 1);
    assertThat(invoke(handler, nudge(burst)).path("launched")).hasSize(10 - (int) messages);
    // The ratio is remembered by the warm handler: a schedule sees the same demand.
    long demand = (long) Math.ceil(messages * (double) burst[0] / burst[1]);
    assertThat(invoke(handler, schedule).path("reason").asText()).startsWith("hold 10: demand " + demand + " tasks");
    assertThat(pool()).hasSize(10);
  }

  @Test
  void aBadConfigurationNamesEveryProblem() {
    Map<String, String> env = Map.of(DispatcherSettings.POOL, "p", DispatcherSettings.MAX_WORKERS, "many",
        DispatcherSettings.IDLE_COOLDOWN, "5 minutes");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DispatcherSettings.fromEnvironment(env))
        .hasMessageContaining(DispatcherSettings.TASK_QUEUE_URL + " is not set")
        .hasMessageContaining(DispatcherSettings.MAX_WORKERS + " is not an integer")
        .hasMessageContaining(DispatcherSettings.IDLE_COOLDOWN + " is not an ISO-8601 duration")
        .hasMessageContaining(DispatcherSettings.LAUNCH_TEMPLATE_ID + " is not set");
  }

  private JsonNode invoke(DispatcherHandler handler, String event) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
    return new ObjectMapper().readTree(out.toByteArray());
  }

  /** The event LambdaNudger sends for one publish of {tasks, messages}. */
  private static String nudge(int[] publish) {
    return new dev.shoal.spi.ThrottledNudger.Nudge(publish[0], publish[1]).toJson();
  }

  /**
   * Publishes no-op tasks to the task queue through Shoal's own client, as a burst goes out: the
   * first task alone (the queue was idle), the rest in full bundles while that send is on its way.
   * Waits for the client's record of tasks per message when it may tag the queue.
   *
   * @param publishes gets {tasks, messages} of each publish, as the client tells its listeners
   * @return the messages sent
   */
  private long publishWithShoalsClient(int tasks, boolean mayTag, List<int[]> publishes) {
    CompletableFuture<Void> firstSendHeld = new CompletableFuture<>();
    Transport client = new ForwardingTransport(transport) {
      @Override
      public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
        return firstSendHeld.thenCompose(open -> super.send(address, bodies));
      }

      @Override
      public CompletableFuture<Void> tagQueue(String address, Map<String, String> tags) {
        return mayTag ? super.tagQueue(address, tags)
            : CompletableFuture.failedFuture(new TransportException("AccessDenied: not allowed to tag", false));
      }
    };
    QueueExecutor executor = QueueExecutor.builder().transport(client).taskQueue(queueUrl).maxSendsInFlight(1)
        .publishListener((sent, bundles) -> publishes.add(new int[] {sent, bundles})).build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(executor).build()) {
      for (long i = 0; i < tasks; i++) {
        dfk.call(NOOP, i);
      }
      firstSendHeld.complete(null);
      Await.until(Duration.ofSeconds(30), () -> executor.tasksSent() == tasks, () -> "all tasks sent");
      if (mayTag) {
        Await.until(Duration.ofSeconds(30), () -> recordedTasksPerMessage() > 100,
            () -> "the record of tasks per message: " + recordedTasksPerMessage());
      }
      long messages = executor.messagesSent();
      dfk.close(ShutdownMode.CANCEL);
      return messages;
    }
  }

  private double recordedTasksPerMessage() {
    String recorded = transport.queueTags(queueUrl).join().get(QueueDepth.TASKS_PER_MESSAGE_TAG);
    return recorded == null ? 0 : Double.parseDouble(recorded);
  }

  private void publish(int tasks) {
    List<byte[]> bodies = IntStream.range(0, tasks)
        .mapToObj(i -> ("{\"task\":" + i + "}").getBytes(StandardCharsets.UTF_8)).toList();
    transport.send(queueUrl, bodies).join();
  }

  private void drain() {
    while (true) {
      var messages = transport.receive(queueUrl, 10, Duration.ZERO).join();
      if (messages.isEmpty()) {
        return;
      }
      transport.ack(queueUrl, messages).join();
    }
  }

  private void markReady(String instanceId) {
    s3.putObject(r -> r.bucket(bucket).key(Ec2Provider.READY_PREFIX + pool + "/" + instanceId), RequestBody.empty());
  }

  private Instant lastBeat(String instanceId) {
    return s3.headObject(r -> r.bucket(bucket).key(Ec2Provider.READY_PREFIX + pool + "/" + instanceId)).lastModified();
  }

  private List<Instance> pool() {
    return ec2.describeInstances(r -> r.filters(
            Filter.builder().name("tag:" + Ec2Provider.POOL_TAG).values(pool).build(),
            Filter.builder().name("instance-state-name").values("pending", "running").build()))
        .reservations().stream().flatMap(reservation -> reservation.instances().stream()).toList();
  }

  private Instance instance(String id) {
    return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
  }
}
