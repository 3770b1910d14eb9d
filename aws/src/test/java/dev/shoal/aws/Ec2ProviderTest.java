package dev.shoal.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.spi.WorkerInstance;
import dev.shoal.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.s3.S3Client;

/** The EC2 provider against moto's server: real RunInstances, DescribeInstances, TerminateInstances, S3. */
@ExtendWith(Moto.class)
class Ec2ProviderTest {
  private static final WorkerOptions SPEC = WorkerOptions.of("sqs", Map.of(SqsClients.REGION, "us-east-1"),
      "https://sqs.us-east-1.amazonaws.com/123456789012/tasks").withSlots(4).withIdleTimeout(Duration.ofMinutes(5))
      .withLease(Duration.ofSeconds(30)).withMaxDeliveries(3);

  private Ec2Client ec2;
  private S3Client s3;
  private String ami;
  private String pool;
  private String bucket;

  @BeforeEach
  void clients() {
    ec2 = AwsClients.configure(Ec2Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
        Moto.settings()).build();
    s3 = AwsClients.configure(S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
        .forcePathStyle(true), Moto.settings()).build();
    ami = ec2.describeImages().images().get(0).imageId();
    String unique = UUID.randomUUID().toString().substring(0, 8);
    pool = "pool-" + unique;
    bucket = "shoal-ready-" + unique;
    s3.createBucket(r -> r.bucket(bucket));
  }

  @AfterEach
  void close() {
    ec2.close();
    s3.close();
  }

  private Ec2Provider.Builder provider(String poolName) {
    return Ec2Provider.builder().ec2(ec2, false).s3(s3, false).presigner(AwsClients.presigner(Moto.settings()), true)
        .pool(poolName).imageId(ami).instanceType("t3.micro").workerOptions(SPEC)
        .workerJarUrl("s3://artifacts/shoal-worker.jar").readyBucket(bucket);
  }

  private Instance describe(String id) {
    return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
  }

  @Test
  void launchedInstancesCarryThePoolTagTerminateOnShutdownAndStartTheWorker() {
    Ec2Provider provider = provider(pool).build();

    List<WorkerInstance> launched = provider.launch(3);

    assertThat(launched).hasSize(3).allMatch(worker -> worker.state() == WorkerInstance.State.PENDING);
    for (WorkerInstance worker : launched) {
      Instance instance = describe(worker.id());
      assertThat(instance.tags()).contains(Tag.builder().key(Ec2Provider.POOL_TAG).value(pool).build());
      assertThat(instance.imageId()).isEqualTo(ami);
      String shutdown = ec2.describeInstanceAttribute(r -> r.instanceId(worker.id())
          .attribute(InstanceAttributeName.INSTANCE_INITIATED_SHUTDOWN_BEHAVIOR))
          .instanceInitiatedShutdownBehavior().value();
      assertThat(shutdown).isEqualTo("terminate");
      String userData = new String(Base64.getDecoder().decode(ec2.describeInstanceAttribute(r -> r
          .instanceId(worker.id()).attribute(InstanceAttributeName.USER_DATA)).userData().value()),
          StandardCharsets.UTF_8);
      assertThat(userData)
          .startsWith("#!/bin/bash\n")
          // The jar through a presigned link, fetched with curl: no AWS CLI needed on the image.
          .containsPattern("curl -fsS [^\n]*--max-time 300 [^\n]*-o worker.jar "
              + "'http[^']*/artifacts/shoal-worker\\.jar\\?[^']*X-Amz-Signature=[0-9a-f]+[^']*'")
          .contains("java -cp 'worker.jar' dev.shoal.worker.WorkerMain '--transport' 'sqs' '--queue' '"
              + SPEC.queue() + "' '--slots' '4'")
          .contains("'--idle-timeout' 'PT5M'", "'--setting' 'region=us-east-1'")
          .contains("export SHOAL_HEARTBEAT='s3://" + bucket + "/ready/" + pool + "/'\"$ID\" SHOAL_HEARTBEAT_PERIOD='PT1M'")
          .contains("trap 'echo \"shoal: powering off\"; shutdown -h now' EXIT")
          .doesNotContain("aws s3", "aws s3api");
    }
  }

  @Test
  void listsOnlyItsPoolAndCountsAWorkerAsRunningOnceItMarkedItselfReady() {
    Ec2Provider mine = provider(pool).build();
    Ec2Provider other = provider(pool + "-other").build();
    List<String> ours = mine.launch(2).stream().map(WorkerInstance::id).toList();
    String theirs = other.launch(1).get(0).id();
    String untagged = ec2.runInstances(r -> r.imageId(ami).minCount(1).maxCount(1)).instances().get(0).instanceId();

    assertThat(mine.list()).extracting(WorkerInstance::id).containsExactlyInAnyOrderElementsOf(ours)
        .doesNotContain(theirs, untagged);
    assertThat(mine.list()).allMatch(worker -> worker.state() == WorkerInstance.State.PENDING);

    s3.putObject(r -> r.bucket(bucket).key("ready/" + pool + "/" + ours.get(0)),
        software.amazon.awssdk.core.sync.RequestBody.empty());

    assertThat(mine.list()).filteredOn(worker -> worker.state() == WorkerInstance.State.RUNNING)
        .extracting(WorkerInstance::id).containsExactly(ours.get(0));
    ec2.terminateInstances(r -> r.instanceIds(theirs, untagged));
  }

  @Test
  void withoutAReadinessBucketEc2sRunningStateCountsAsPolling() {
    Ec2Provider provider = provider(pool).readyBucket(null).build();
    provider.launch(1);
    assertThat(provider.list()).singleElement().extracting(WorkerInstance::state)
        .isEqualTo(WorkerInstance.State.RUNNING);
  }

  @Test
  void refusesToTerminateInstancesOutsideItsPool() {
    Ec2Provider mine = provider(pool).build();
    String ours = mine.launch(1).get(0).id();
    String other = ec2.runInstances(r -> r.imageId(ami).minCount(1).maxCount(1)
        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
            .tags(Tag.builder().key(Ec2Provider.POOL_TAG).value(pool + "-x").build()).build()))
        .instances().get(0).instanceId();
    String untagged = ec2.runInstances(r -> r.imageId(ami).minCount(1).maxCount(1)).instances().get(0).instanceId();

    mine.terminate(List.of(ours, other, untagged, "i-0123456789abcdef0"));

    assertThat(describe(ours).state().name()).isIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);
    assertThat(describe(other).state().name()).isEqualTo(InstanceStateName.RUNNING);
    assertThat(describe(untagged).state().name()).isEqualTo(InstanceStateName.RUNNING);
    assertThat(mine.list()).isEmpty();
    ec2.terminateInstances(r -> r.instanceIds(other, untagged));
  }

  /**
   * What the dispatcher's scaling step needs to find and end stuck instances (it terminates the
   * PENDING ones whose launch time is past its deadline): the listing says which instances have not
   * marked themselves ready since when, by EC2's launch time, and terminating one leaves the rest.
   */
  @Test
  void listsAnInstanceThatNeverMarkedItselfReadyAsPendingSinceItsLaunchSoItCanBeTerminatedAsStuck() {
    Ec2Provider provider = provider(pool).build();
    List<WorkerInstance> launched = provider.launch(2);
    String ready = launched.get(0).id();
    String stuck = launched.get(1).id();
    s3.putObject(r -> r.bucket(bucket).key("ready/" + pool + "/" + ready),
        software.amazon.awssdk.core.sync.RequestBody.empty());
    Instant launchedAt = describe(stuck).launchTime();
    Instant seen = s3.headObject(r -> r.bucket(bucket).key("ready/" + pool + "/" + ready)).lastModified();

    assertThat(provider.list()).containsExactlyInAnyOrder(
        new WorkerInstance(ready, WorkerInstance.State.RUNNING, describe(ready).launchTime(), seen),
        new WorkerInstance(stuck, WorkerInstance.State.PENDING, launchedAt));
    provider.terminate(List.of(stuck));

    assertThat(describe(stuck).state().name()).isIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);
    assertThat(describe(ready).state().name()).isEqualTo(InstanceStateName.RUNNING);
    assertThat(provider.list()).extracting(WorkerInstance::id).containsExactly(ready);
  }

  /**
   * What the dispatcher's scaling step needs to find silent workers: a worker's own heartbeat (the
   * S3Heartbeat its JVM beats) is what makes its instance RUNNING, and the time of its last beat is
   * the instance's lastSeen; a worker that stops beating keeps its last time.
   */
  @Test
  void aWorkersHeartbeatMakesItRunningAndItsLastBeatIsWhenItWasLastSeen() {
    Ec2Provider provider = provider(pool).build();
    String id = provider.launch(1).get(0).id();
    assertThat(provider.list()).singleElement().satisfies(worker -> {
      assertThat(worker.state()).isEqualTo(WorkerInstance.State.PENDING);
      assertThat(worker.lastSeen()).isNull();
    });

    Instant before = Instant.now().minusSeconds(5);
    try (S3Heartbeat heartbeat = new S3Heartbeat(s3, false, bucket, "ready/" + pool + "/" + id)) {
      heartbeat.beat();
    }

    Instant marker = s3.headObject(r -> r.bucket(bucket).key("ready/" + pool + "/" + id)).lastModified();
    assertThat(provider.list()).singleElement().satisfies(worker -> {
      assertThat(worker.state()).isEqualTo(WorkerInstance.State.RUNNING);
      assertThat(worker.lastSeen()).isEqualTo(marker).isAfter(before);
    });
  }

  @Test
  void theS3HeartbeatProviderServesS3TargetsAndIsFoundByItsScheme() {
    assertThat(dev.shoal.worker.HeartbeatProvider.forScheme("s3")).isInstanceOf(S3Heartbeat.Provider.class);
    S3Heartbeat.Provider provider = new S3Heartbeat.Provider();
    assertThatThrownBy(() -> provider.create(java.net.URI.create("s3://bucket-only"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s3://bucket/key");
    try (var heartbeat = provider.create(java.net.URI.create("s3://b/ready/p/i-1"), Map.of(SqsClients.REGION,
        "us-east-1", SqsClients.ENDPOINT, "http://sqs.invalid"))) {
      assertThat(heartbeat).hasToString("S3Heartbeat[s3://b/ready/p/i-1]");
    }
  }

  /** The presigned link in the user data fetches the jar with a plain HTTP GET: no AWS CLI, no credentials. */
  @Test
  void theUserDatasJarLinkFetchesTheJarWithoutCredentials() throws Exception {
    String artifacts = "shoal-artifacts-" + pool;
    s3.createBucket(r -> r.bucket(artifacts));
    byte[] jar = "PK\u0003\u0004 a jar".getBytes(StandardCharsets.UTF_8);
    // Uploaded without the SDK's chunked checksum framing, which moto stores as part of the body.
    try (S3Client plain = AwsClients.configure(S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
        .forcePathStyle(true).requestChecksumCalculation(
            software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED), Moto.settings()).build()) {
      plain.putObject(r -> r.bucket(artifacts).key("jars/worker.jar"),
          software.amazon.awssdk.core.sync.RequestBody.fromBytes(jar));
    }
    Ec2Provider provider = provider(pool).workerJarUrl("s3://" + artifacts + "/jars/worker.jar").build();
    String id = provider.launch(1).get(0).id();
    String userData = new String(Base64.getDecoder().decode(ec2.describeInstanceAttribute(r -> r
        .instanceId(id).attribute(InstanceAttributeName.USER_DATA)).userData().value()), StandardCharsets.UTF_8);
    java.util.regex.Matcher link = java.util.regex.Pattern.compile("-o worker\\.jar '([^']+)'").matcher(userData);
    assertThat(link.find()).as("a jar link in %s", userData).isTrue();

    var response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(link.group(1))).build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(jar);
    assertThat(link.group(1)).contains("X-Amz-Expires=3600");
  }

  @Test
  void anHttpsJarIsFetchedAsItIsAndAnS3UrlNeedsAKey() {
    Ec2Provider provider = provider(pool).workerJarUrl("https://example.com/w.jar").build();
    assertThat(provider.userData("https://example.com/w.jar"))
        .contains("-o worker.jar 'https://example.com/w.jar'");
    assertThatThrownBy(() -> provider(pool).workerJarUrl("s3://bucket-only").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s3://bucket/key");
  }

  @Test
  void closingTerminatesThePoolAndListingForgetsStaleReadinessMarkers() {
    Ec2Provider provider = provider(pool).build();
    String id = provider.launch(1).get(0).id();
    s3.putObject(r -> r.bucket(bucket).key("ready/" + pool + "/" + id),
        software.amazon.awssdk.core.sync.RequestBody.empty());
    provider.close();
    assertThat(describe(id).state().name()).isIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED);

    assertThat(provider(pool).build().list()).isEmpty();

    assertThat(s3.listObjectsV2(r -> r.bucket(bucket)).contents()).isEmpty();
  }

  @Test
  void rejectsAPoolNameThatCannotBeATagOrAKey() {
    assertThatThrownBy(() -> provider("a/b").build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> provider(pool).imageId(null).build()).hasMessageContaining("launch template or an AMI");
  }
}
