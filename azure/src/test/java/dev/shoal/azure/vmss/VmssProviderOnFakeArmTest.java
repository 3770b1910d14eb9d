package dev.shoal.azure.vmss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.azure.fake.FakeArm;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scale-set provider with the real Azure SDK (azure-resourcemanager-compute) against
 * {@link FakeArm}, a fake of ARM's compute API at the HTTP boundary: capacity, listing with
 * instance views, deletion through the scale set, long-running operations, ARM's errors.
 */
@Timeout(60)
class VmssProviderOnFakeArmTest {
  private static final String GROUP = "shoal-rg";
  private static final String JAR = "https://shoalartifacts.blob.core.windows.net/jars/shoal-worker.jar";
  private static final WorkerOptions SPEC = WorkerOptions.of("servicebus",
      Map.of("namespace", "shoal-ns.servicebus.windows.net"), "shoal-tasks").withSlots(4)
      .withIdleTimeout(Duration.ofMinutes(5));

  private FakeArm arm;
  private String pool;

  @BeforeEach
  void start() {
    arm = FakeArm.start();
    pool = arm.createPool(GROUP, "workers", "pool-1");
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  private VmssProvider.Builder provider(String scaleSetId) {
    return VmssProvider.builder().computeManager(arm.computeManager()).scaleSetId(scaleSetId).workerOptions(SPEC)
        .workerJarUrl(JAR).pollInterval(Duration.ofMillis(10));
  }

  private VmssProvider provider() {
    return provider(pool).build();
  }

  private static List<String> ids(List<WorkerInstance> workers) {
    return workers.stream().map(WorkerInstance::id).toList();
  }

  private List<FakeArm.Request> requests(String method, String pathEnd) {
    return arm.requests().stream().filter(r -> r.method().equals(method) && r.path().endsWith(pathEnd)).toList();
  }

  @Test
  void launchGrowsTheCapacityAndTheNewVmsShowPendingUntilTheyRun() {
    VmssProvider provider = provider();

    List<WorkerInstance> launched = provider.launch(3);

    assertThat(arm.capacity(pool)).isEqualTo(3);
    assertThat(ids(launched)).containsExactlyInAnyOrderElementsOf(arm.vmNames(pool))
        .allMatch(id -> id.startsWith("workers_"));
    assertThat(launched).allMatch(worker -> worker.state() == WorkerInstance.State.PENDING);
    assertThat(provider.list()).extracting(WorkerInstance::state).containsOnly(WorkerInstance.State.PENDING);

    arm.boot(launched.get(0).id());
    assertThat(provider.list()).filteredOn(worker -> worker.state() == WorkerInstance.State.RUNNING)
        .extracting(WorkerInstance::id).containsExactly(launched.get(0).id());
    arm.bootAll(pool);
    assertThat(provider.list()).hasSize(3).allMatch(worker -> worker.state() == WorkerInstance.State.RUNNING);

    List<WorkerInstance> more = provider.launch(2);

    assertThat(arm.capacity(pool)).isEqualTo(5);
    assertThat(ids(more)).hasSize(2).doesNotContainAnyElementsOf(ids(launched));
    assertThat(provider.list()).hasSize(5);
    assertThat(arm.scaleInDeletions()).isZero();
  }

  @Test
  void theWorkersCustomDataGoesIntoTheModelAndTheNewVmsStartTheWorkerWithItsOptions() {
    VmssProvider provider = provider();

    String vm = provider.launch(1).get(0).id();

    String script = arm.vm(GROUP, vm).orElseThrow().customData();
    assertThat(script).isEqualTo(arm.customData(pool)).isEqualTo(provider.customDataScript())
        .startsWith("#!/bin/bash\n")
        .contains("java -cp 'worker.jar' dev.shoal.worker.WorkerMain '--transport' 'servicebus' '--queue' 'shoal-tasks'"
            + " '--slots' '4'")
        .contains("'--setting' 'namespace=shoal-ns.servicebus.windows.net'", "--worker-id \"$NAME\"",
            "-o worker.jar '" + JAR + "'");
    // The capacity and the custom data in one PATCH, conditional on the scale set not having changed since it was read.
    assertThat(requests("PATCH", "/virtualMachineScaleSets/workers")).singleElement()
        .satisfies(patch -> {
          // Nothing else of the model is touched.
          assertThat(patch.body()).isEqualTo("{\"sku\":{\"capacity\":1},\"properties\":{\"virtualMachineProfile\":"
              + "{\"osProfile\":{\"customData\":\"" + java.util.Base64.getEncoder().encodeToString(
                  script.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "\"}}}}");
          assertThat(patch.headers()).containsEntry("if-match", "\"1\"");
        });
  }

  @Test
  void aPoolWithAVmOnlyQueueLaunchesVmsWhoseWorkerServesItBesideTheTaskQueue() {
    String vmQueue = "sb://shoal-ns.servicebus.windows.net/shoal-vm-tasks";
    VmssProvider provider = VmssProvider.builder().computeManager(arm.computeManager()).scaleSetId(pool)
        .workerOptions(SPEC.withVmQueue(vmQueue)).workerJarUrl(JAR).pollInterval(Duration.ofMillis(10)).build();

    String vm = provider.launch(1).get(0).id();

    // The script the new VM boots with, as ARM holds it, runs one worker on both queues.
    String script = arm.vm(GROUP, vm).orElseThrow().customData();
    assertThat(script).isEqualTo(arm.customData(pool))
        .containsOnlyOnce("dev.shoal.worker.WorkerMain '--transport' 'servicebus' '--queue' 'shoal-tasks'")
        .containsOnlyOnce("'--vm-queue' '" + vmQueue + "'");
    // A pool without one is not told of any.
    assertThat(provider().customDataScript()).doesNotContain("--vm-queue");
  }

  @Test
  void launchWaitsForTheLongRunningOperationPollingItsStatus() {
    arm.operationPolls(3);
    VmssProvider provider = provider();

    String vm = provider.launch(1).get(0).id();

    List<FakeArm.Request> polls = arm.requests().stream().filter(r -> r.path().contains("/operations/")).toList();
    assertThat(polls).hasSizeGreaterThanOrEqualTo(4);
    // Only the operation's success settles the new VM: launch returned after it.
    assertThat(arm.vm(GROUP, vm).orElseThrow().provisioningState()).isEqualTo("Succeeded");
    assertThat(arm.vm(GROUP, vm).orElseThrow().powerState()).isEqualTo("starting");
  }

  @Test
  void terminateWaitsForTheDeletionToFinish() {
    VmssProvider provider = provider();
    List<String> launched = ids(provider.launch(2));
    arm.operationPolls(2);

    provider.terminate(List.of(launched.get(0)));

    assertThat(arm.vm(GROUP, launched.get(0))).isEmpty();
    assertThat(arm.vmNames(pool)).containsExactly(launched.get(1));
  }

  @Test
  void anOperationThatOutlastsTheTimeoutLeavesLaunchWithTheVmsThatExist() {
    arm.operationPolls(1_000_000);
    VmssProvider provider = provider(pool).operationTimeout(Duration.ofMillis(300)).build();

    List<WorkerInstance> launched = provider.launch(2);

    assertThat(ids(launched)).containsExactlyInAnyOrderElementsOf(arm.vmNames(pool)).hasSize(2);
    assertThat(launched).allMatch(worker -> worker.state() == WorkerInstance.State.PENDING);
    assertThat(arm.vm(GROUP, launched.get(0).id()).orElseThrow().provisioningState()).isEqualTo("Creating");
  }

  @Test
  void aFailedOperationSurfacesWithArmsError() {
    VmssProvider provider = provider();
    arm.failNextOperation("AllocationFailed", "Allocation failed. We do not have sufficient capacity for the"
        + " requested VM size in this region.");

    assertThatThrownBy(() -> provider.launch(2)).isInstanceOf(ScaleSetException.class)
        .hasMessageContaining("growing scale set workers from 0 to 2 VMs failed")
        .hasMessageContaining("AllocationFailed").hasMessageContaining("sufficient capacity");
  }

  @Test
  void terminateDeletesOnlyTheNamedVmsOfThePoolThroughTheScaleSet() {
    VmssProvider provider = provider();
    List<String> launched = ids(provider.launch(3));
    arm.bootAll(pool);

    provider.terminate(List.of(launched.get(1)));

    assertThat(arm.vmNames(pool)).containsExactly(launched.get(0), launched.get(2));
    assertThat(arm.capacity(pool)).isEqualTo(2);
    assertThat(ids(provider.list())).containsExactlyInAnyOrder(launched.get(0), launched.get(2));
    assertThat(requests("POST", "/virtualMachineScaleSets/workers/delete")).singleElement()
        .satisfies(delete -> assertThat(delete.body()).isEqualTo("{\"instanceIds\":[\"" + launched.get(1) + "\"]}"));
    assertThat(arm.scaleInDeletions()).isZero();
  }

  @Test
  void refusesToDeleteAVmOutsideItsPoolAndDeletesNothingThen() {
    VmssProvider provider = provider();
    String ours = provider.launch(1).get(0).id();
    String other = arm.createPool(GROUP, "other", "pool-2");
    String theirs = arm.addRunningVm(GROUP, "web-1", other);
    String loose = arm.addRunningVm(GROUP, "db-1", null);

    assertThat(ids(provider.list())).containsExactly(ours);
    assertThatThrownBy(() -> provider.terminate(List.of(ours, theirs))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refusing to delete web-1 (a VM of scale set " + other + ")")
        .hasMessageContaining("nothing was deleted");
    assertThatThrownBy(() -> provider.terminate(List.of(loose))).hasMessageContaining("db-1 (a VM in no scale set)");
    assertThatThrownBy(() -> provider.terminate(List.of("../virtualMachines/db-1")))
        .hasMessageContaining("(not a VM name)");

    assertThat(requests("POST", "/delete")).isEmpty();
    assertThat(arm.vm(GROUP, ours)).isPresent();
    assertThat(arm.vm(GROUP, theirs).orElseThrow().powerState()).isEqualTo("running");
    assertThat(arm.vm(GROUP, loose).orElseThrow().powerState()).isEqualTo("running");
  }

  @Test
  void aVmThatIsGoneAlreadyIsSkipped() {
    VmssProvider provider = provider();
    String ours = provider.launch(1).get(0).id();

    provider.terminate(List.of("workers_0badc0de", ours));

    assertThat(arm.vmNames(pool)).isEmpty();
  }

  @Test
  void listingDeletesTheVmsWhoseWorkerExitedAndPoweredOffButNoOther() {
    VmssProvider provider = provider();
    List<String> launched = ids(provider.launch(3));
    arm.bootAll(pool);
    arm.powerOff(launched.get(0));

    assertThat(ids(provider.list())).containsExactlyInAnyOrder(launched.get(1), launched.get(2));

    assertThat(requests("POST", "/virtualMachineScaleSets/workers/delete")).singleElement()
        .satisfies(delete -> assertThat(delete.body()).isEqualTo("{\"instanceIds\":[\"" + launched.get(0) + "\"]}"));
    assertThat(arm.vm(GROUP, launched.get(0)).orElseThrow().provisioningState()).isEqualTo("Deleting");
    // Being deleted: neither listed nor deleted again.
    assertThat(ids(provider.list())).containsExactlyInAnyOrder(launched.get(1), launched.get(2));
    assertThat(requests("POST", "/delete")).hasSize(1);
    assertThat(arm.vm(GROUP, launched.get(1)).orElseThrow().powerState()).isEqualTo("running");
  }

  @Test
  void aThrottledRequestIsRetriedAfterArmsRetryAfterAndPersistentThrottlingSurfacesClearly() {
    VmssProvider provider = provider();
    arm.fail("PATCH", ".*/virtualMachineScaleSets/workers", 429, "TooManyRequests",
        "The request is being throttled as the limit has been reached for operation type - Write.",
        Map.of("Retry-After", "17"), 1);

    assertThat(provider.launch(1)).hasSize(1);
    assertThat(requests("PATCH", "/virtualMachineScaleSets/workers")).hasSize(2);

    arm.fail("PATCH", ".*/virtualMachineScaleSets/workers", 429, "TooManyRequests",
        "The request is being throttled as the limit has been reached for operation type - Write.",
        Map.of("Retry-After", "17"), 10);

    assertThatThrownBy(() -> provider.launch(1)).isInstanceOfSatisfying(ScaleSetException.class, e -> {
      assertThat(e.throttled()).isTrue();
      assertThat(e.statusCode()).isEqualTo(429);
      assertThat(e.retryAfter()).contains(Duration.ofSeconds(17));
      assertThat(e.errorCode()).contains("TooManyRequests");
      assertThat(e).hasMessageContaining("growing scale set workers from 1 to 2 VMs failed: ARM answered 429"
          + " TooManyRequests").hasMessageContaining("retry after 17 s");
    });
    assertThat(arm.capacity(pool)).isEqualTo(1);
  }

  @Test
  void aConflictSurfacesClearlyAndDeletesNothing() {
    VmssProvider provider = provider();
    String vm = provider.launch(1).get(0).id();
    arm.fail("POST", ".*/virtualMachineScaleSets/workers/delete", 409, "OperationNotAllowed",
        "Operation 'deleteInstances' is not allowed since the Virtual Machine Scale Set is currently being updated.",
        Map.of(), 1);

    assertThatThrownBy(() -> provider.terminate(List.of(vm))).isInstanceOfSatisfying(ScaleSetException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(409);
      assertThat(e.throttled()).isFalse();
      assertThat(e).hasMessageContaining("deleting VM(s) [" + vm + "] of scale set workers failed: ARM answered 409"
          + " OperationNotAllowed: Operation 'deleteInstances' is not allowed");
    });
    assertThat(arm.vm(GROUP, vm)).isPresent();
  }

  @Test
  void aScaleSetChangedBetweenReadAndWriteIsNotOverwritten() {
    VmssProvider provider = provider();
    arm.fail("PATCH", ".*/virtualMachineScaleSets/workers", 412, "PreconditionFailed",
        "The specified precondition 'If-Match' failed.", Map.of(), 1);

    assertThatThrownBy(() -> provider.launch(1)).isInstanceOfSatisfying(ScaleSetException.class,
        e -> assertThat(e.statusCode()).isEqualTo(412));
    assertThat(arm.capacity(pool)).isZero();
  }

  @Test
  void listsEveryPageOfALargePool() {
    arm.pageSize(2);
    VmssProvider provider = provider();

    List<WorkerInstance> launched = provider.launch(5);

    assertThat(launched).hasSize(5);
    assertThat(ids(provider.list())).containsExactlyInAnyOrderElementsOf(ids(launched));
  }

  @Test
  void aWorkersLaunchTimeIsItsVmsCreationTimeAndStaysTheSame() {
    VmssProvider provider = provider();
    WorkerInstance launched = provider.launch(1).get(0);
    arm.bootAll(pool);

    assertThat(provider.list()).singleElement().satisfies(worker -> {
      assertThat(worker.launchedAt()).isEqualTo(launched.launchedAt());
      assertThat(worker.lastSeen()).isNull();
    });
  }

  @Test
  void refusesAScaleSetThatIsNotAShoalPoolOrWhoseModelChangesWouldReachRunningVms() {
    String untagged = arm.createScaleSet(GROUP, "web", "Flexible", "Manual", Map.of());
    String uniform = arm.createScaleSet(GROUP, "uniform", "Uniform", "Manual", Map.of("shoal-pool", "u"));
    String rolling = arm.createScaleSet(GROUP, "rolling", "Flexible", "Rolling", Map.of("shoal-pool", "r"));

    assertThatThrownBy(() -> provider(untagged).build().list()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has no tag shoal-pool");
    assertThatThrownBy(() -> provider(uniform).build().launch(1)).hasMessageContaining("Uniform orchestration");
    assertThatThrownBy(() -> provider(rolling).build().launch(1)).hasMessageContaining("upgrades its VMs Rolling")
        .hasMessageContaining("Manual");
    assertThat(requests("PATCH", "")).isEmpty();
    assertThat(arm.capacity(untagged) + arm.capacity(uniform) + arm.capacity(rolling)).isZero();
  }

  @Test
  void aScaleSetThatDoesNotExistSaysSo() {
    String missing = pool.replace("/workers", "/nothing");

    assertThatThrownBy(() -> provider(missing).build().list()).isInstanceOfSatisfying(ScaleSetException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(404);
      assertThat(e).hasMessageContaining("reading scale set nothing failed: ARM answered 404 ResourceNotFound");
    });
  }

  @Test
  void closingDeletesEveryVmOfThePoolAndNoOther() {
    VmssProvider provider = provider();
    provider.launch(2);
    String other = arm.createPool(GROUP, "other", "pool-2");
    String theirs = arm.addRunningVm(GROUP, "web-1", other);

    provider.close();

    assertThat(arm.vmNames(pool)).isEmpty();
    assertThat(arm.capacity(pool)).isZero();
    assertThat(arm.vm(GROUP, theirs)).isPresent();
  }

  @Test
  void theBuilderChecksItsSettingsAndBuildsIndependentProviders() {
    VmssProvider.Builder builder = provider(pool);
    VmssProvider first = builder.build();
    VmssProvider second = builder.workerJarUrl(JAR.replace("shoal-worker", "other")).build();

    assertThat(first.customDataScript()).contains("/jars/shoal-worker.jar").doesNotContain("/jars/other.jar");
    assertThat(second.customDataScript()).contains("/jars/other.jar");
    assertThat(first.scaleSetId()).isEqualTo(pool);
    assertThatThrownBy(() -> provider(pool).workerJarUrl("http://a.blob.core.windows.net/c/w.jar").build())
        .hasMessageContaining("https");
    assertThatThrownBy(() -> provider(pool).workerJarUrl(JAR + "?sv=2022-11-02&sig=secret").build())
        .hasMessageContaining("no query");
    assertThatThrownBy(() -> provider("workers").build()).hasMessageContaining("not the resource id of a scale set");
    assertThatThrownBy(() -> provider(pool).workerOptions(null).build()).hasMessageContaining("worker options");
    assertThatThrownBy(() -> provider(pool.replace(arm.subscriptionId(), "11111111-2222-3333-4444-555555555555"))
        .build()).hasMessageContaining("subscription");
  }

  /** How the Function dispatcher builds one: from settings alone, signing in with its identity, calling nothing yet. */
  @Test
  void buildsFromSettingsWithACredentialWithoutCallingAzure() {
    com.azure.core.credential.TokenCredential refusing = request -> reactor.core.publisher.Mono.error(
        new IllegalStateException("no token in this test"));

    VmssProvider provider = VmssProvider.builder().credential(refusing).scaleSetId(pool).workerOptions(SPEC)
        .workerJarUrl(JAR).identityClientId("9b2a6f0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b")
        .heartbeatContainerUrl("https://shoalartifacts.blob.core.windows.net/heartbeats")
        .heartbeatPeriod(Duration.ofSeconds(30)).build();

    assertThat(provider.scaleSetId()).isEqualTo(pool);
    assertThat(provider.customDataScript()).contains(
        "export SHOAL_HEARTBEAT='azblob://shoalartifacts.blob.core.windows.net/heartbeats/ready/workers/'\"$NAME\""
            + " SHOAL_HEARTBEAT_PERIOD='PT30S'", "export AZURE_CLIENT_ID='9b2a6f0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b'",
        "&client_id=9b2a6f0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b");
    assertThat(arm.requests()).isEmpty();
    assertThatThrownBy(() -> provider(pool).heartbeatContainerUrl("https://a.blob.core.windows.net/h")
        .heartbeatContainer(new com.azure.storage.blob.BlobContainerClientBuilder()
            .endpoint("https://a.blob.core.windows.net/h").buildClient()).build())
        .hasMessageContaining("not both");
  }
}
