package dev.shoal.azure.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import dev.shoal.azure.fake.FakeArm;
import dev.shoal.dispatcher.PoolSettings;
import dev.shoal.dispatcher.ScalingStep;
import dev.shoal.spi.ForwardingTransport;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.testing.InMemoryTransport;
import dev.shoal.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Function's two triggers, called as the Functions worker calls them, over a real in-memory
 * queue and an in-memory pool, with a clock that moves only when the test moves it.
 */
class DispatcherFunctionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ManualClock clock = new ManualClock();
  private final InMemoryComputeProvider provider = new InMemoryComputeProvider(clock);
  private final InMemoryTransport transport = new InMemoryTransport();
  private String queue;

  @BeforeEach
  void createQueue() {
    queue = transport.createQueue("shoal-tasks", QueueOptions.defaults()).join();
  }

  @AfterEach
  void close() {
    provider.close();
    transport.close();
  }

  /** The settings the Bicep gives the Function, with these overrides. */
  static Map<String, String> environment(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(Map.of(
        FunctionSettings.TASK_QUEUE, "shoal-tasks",
        FunctionSettings.TRANSPORT_SETTING_PREFIX + "servicebus__namespace", "shoal.example.invalid",
        FunctionSettings.SCALE_SET_ID, "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/"
            + "virtualMachineScaleSets/shoal-workers",
        FunctionSettings.WORKER_JAR_URL, "https://jars.example.invalid/worker/shoal-worker.jar",
        PoolSettings.MAX_WORKERS, "20",
        PoolSettings.SLOTS_PER_WORKER, "2",
        PoolSettings.IDLE_COOLDOWN, "PT1M",
        PoolSettings.PENDING_DEADLINE, "PT2M"));
    env.putAll(overrides);
    return env;
  }

  private DispatcherFunctions functions(Map<String, String> overrides, Transport transport) {
    return new DispatcherFunctions(FunctionSettings.fromEnvironment(environment(overrides)), transport, provider,
        clock);
  }

  private DispatcherFunctions functions() {
    return functions(Map.of(), transport);
  }

  private static HttpResponseMessage nudge(DispatcherFunctions functions, String body) {
    return functions.nudge(FunctionsInvocation.post(body, Map.of("content-type", "application/json")),
        new FunctionsInvocation(DispatcherFunctions.NUDGE));
  }

  private void publish(int messages) {
    transport.send(queue, IntStream.range(0, messages)
        .mapToObj(i -> ("{\"bundle\":" + i + "}").getBytes(StandardCharsets.UTF_8)).toList()).join();
  }

  @Test
  void aTimerTickWithABacklogLaunchesAndLogsItsDecision() {
    DispatcherFunctions functions = functions();
    publish(7);
    FunctionsInvocation invocation = new FunctionsInvocation(DispatcherFunctions.TICK);

    functions.tick("{\"isPastDue\":false}", invocation);

    // 7 tasks (one a message: nothing better is known), 2 slots a worker: 4 workers.
    assertThat(provider.workers()).hasSize(4).allMatch(worker -> worker.state() == WorkerInstance.State.PENDING);
    assertThat(invocation.lines()).singleElement().asString()
        .startsWith("INFO dispatcher (schedule): scale out 0 -> 4: demand 7 tasks");

    // The next tick, while they boot: pending workers count, nothing is launched twice.
    functions.tick("{}", new FunctionsInvocation(DispatcherFunctions.TICK));
    assertThat(provider.workers()).hasSize(4);
  }

  @Test
  void aNudgeWithTasksAndMessagesSizesThePoolFromTasksAndTheNextTickRemembersIt() throws Exception {
    DispatcherFunctions functions = functions();
    publish(3);

    HttpResponseMessage response = nudge(functions, "{\"source\":\"shoal.nudge\",\"tasks\":30,\"messages\":3}");

    // 3 messages of 10 tasks: 30 tasks, 2 slots a worker: 15 workers, not 2.
    assertThat(response.getStatus()).isEqualTo(HttpStatus.OK);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    JsonNode report = JSON.readTree((String) response.getBody());
    assertThat(report.path("action").asText()).isEqualTo("SCALE_OUT");
    assertThat(report.path("launched")).hasSize(15);
    assertThat(report.path("visibleMessages").asLong()).isEqualTo(3);
    assertThat(report.path("reason").asText()).startsWith("scale out 0 -> 15: demand 30 tasks in 3 messages");
    assertThat(provider.workers()).hasSize(15);

    // A warm Function remembers the ratio: a tick sees the same demand, and more messages mean more workers.
    publish(1);
    FunctionsInvocation tick = new FunctionsInvocation(DispatcherFunctions.TICK);
    functions.tick("{}", tick);
    assertThat(tick.lines()).singleElement().asString().contains("scale out 15 -> 20: demand 40 tasks");
    assertThat(provider.workers()).hasSize(20);
  }

  @Test
  void theQueuesOwnRecordOfTasksPerMessageWinsOverTheNudge() throws Exception {
    DispatcherFunctions functions = functions();
    publish(2);
    transport.tagQueue(queue, Map.of(QueueDepth.TASKS_PER_MESSAGE_TAG, "4")).join();

    JsonNode report = JSON.readTree((String) nudge(functions, "{\"tasks\":1,\"messages\":1}").getBody());

    assertThat(report.path("launched")).hasSize(4);
  }

  @Test
  void aBareNudgeEvaluatesAsATickDoes() throws Exception {
    DispatcherFunctions functions = functions();
    publish(3);

    for (String bare : new String[] {null, "", "  ", "{}", "{\"source\":\"shoal.nudge\",\"extra\":[1]}"}) {
      HttpResponseMessage response = nudge(functions, bare);
      assertThat(response.getStatus()).as("body %s", bare).isEqualTo(HttpStatus.OK);
    }

    assertThat(provider.workers()).hasSize(2);
    assertThat(provider.listings()).isEqualTo(5);
  }

  @Test
  void aMalformedNudgeGetsA400AndChangesNothing() {
    DispatcherFunctions functions = functions();
    publish(3);
    String tooLong = "{\"tasks\":1,\"pad\":\"" + "x".repeat(Nudge.MAX_BODY_CHARS) + "\"}";

    for (String malformed : List.of("tasks=30&messages=3", "[30,3]", "\"nudge\"", "{\"tasks\":-1,\"messages\":1}",
        "{\"tasks\":1.5,\"messages\":1}", "{\"tasks\":\"30\",\"messages\":3}", "{\"tasks\":30,\"messages\":true}",
        "{\"tasks\":30,\"messages\":3} {}", "{\"tasks\":30", tooLong)) {
      FunctionsInvocation invocation = new FunctionsInvocation(DispatcherFunctions.NUDGE);
      HttpResponseMessage response = functions.nudge(FunctionsInvocation.post(malformed, Map.of()), invocation);

      assertThat(response.getStatus()).as("body %s", malformed).isEqualTo(HttpStatus.BAD_REQUEST);
      assertThat((String) response.getBody()).as("says why, without quoting the body").isNotBlank()
          .doesNotContain(malformed);
      assertThat(invocation.lines()).singleElement().asString().startsWith("WARNING dispatcher (nudge): rejected");
    }

    // Nothing evaluated, nothing launched, and the ratio is not taken: a tick still counts a task a message.
    assertThat(provider.listings()).isZero();
    assertThat(provider.workers()).isEmpty();
    functions.tick("{}", new FunctionsInvocation(DispatcherFunctions.TICK));
    assertThat(provider.workers()).hasSize(2);
  }

  @Test
  void aDepthThatCannotBeReadFailsTheInvocationAndLaunchesNothing() {
    Transport unreadable = new ForwardingTransport(transport) {
      @Override
      public CompletableFuture<QueueDepth> depth(String address) {
        return CompletableFuture.failedFuture(new TransportException("Unauthorized: Manage claim required", false));
      }
    };
    DispatcherFunctions functions = functions(Map.of(), unreadable);
    publish(5);

    assertThatThrownBy(() -> functions.tick("{}", new FunctionsInvocation(DispatcherFunctions.TICK)))
        .isInstanceOf(ScalingStep.DepthUnreadableException.class)
        .hasMessageContaining("Manage claim required");
    assertThatThrownBy(() -> nudge(functions, "{\"tasks\":5,\"messages\":5}"))
        .isInstanceOf(ScalingStep.DepthUnreadableException.class);
    assertThat(provider.workers()).isEmpty();
  }

  @Test
  void aWorkerStillPendingAfterTheDeadlineIsTerminatedAndReplaced() {
    DispatcherFunctions functions = functions();
    publish(4);
    functions.tick("{}", new FunctionsInvocation(DispatcherFunctions.TICK));
    List<WorkerInstance> launched = provider.workers();
    assertThat(launched).hasSize(2);
    provider.polls(launched.get(0).id());

    clock.advance(Duration.ofMinutes(2).plusSeconds(1));
    functions.tick("{}", new FunctionsInvocation(DispatcherFunctions.TICK));

    assertThat(provider.terminated()).containsExactly(launched.get(1).id());
    assertThat(provider.workers()).hasSize(2).extracting(WorkerInstance::id).contains(launched.get(0).id());
  }

  @Test
  void theTaskQueueIsFoundByNameAndAMissingOneStopsTheDispatcherFromBeingBuilt() {
    assertThatThrownBy(() -> functions(Map.of(FunctionSettings.TASK_QUEUE, "no-such-queue"), transport))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot find the task queue no-such-queue");
  }

  @Test
  void aBadConfigurationNamesEveryProblem() {
    Map<String, String> env = Map.of(PoolSettings.MAX_WORKERS, "many", PoolSettings.IDLE_COOLDOWN, "5 minutes");

    assertThatThrownBy(() -> FunctionSettings.fromEnvironment(env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(FunctionSettings.TASK_QUEUE + " is not set")
        .hasMessageContaining(FunctionSettings.SCALE_SET_ID + " is not set")
        .hasMessageContaining(FunctionSettings.WORKER_JAR_URL + " is not set")
        .hasMessageContaining("no transport setting: set " + FunctionSettings.TRANSPORT_SETTING_PREFIX)
        .hasMessageContaining(PoolSettings.MAX_WORKERS + " is not an integer")
        .hasMessageContaining(PoolSettings.IDLE_COOLDOWN + " is not an ISO-8601 duration");
  }

  @Test
  void transportSettingsArePassedThroughByTheirKeys() {
    FunctionSettings settings = FunctionSettings.fromEnvironment(environment(Map.of(
        FunctionSettings.TRANSPORT_SETTING_PREFIX + "servicebus__maxMessageBytes", " 1048576 ",
        FunctionSettings.TRANSPORT_SETTING_PREFIX + "blank", " ",
        FunctionSettings.WORKER_IDENTITY_CLIENT_ID, "11111111-2222-3333-4444-555555555555")));

    assertThat(settings.transportSettings()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "servicebus.namespace", "shoal.example.invalid", "servicebus.maxMessageBytes", "1048576"));
    assertThat(settings.workerIdentityClientId()).isEqualTo("11111111-2222-3333-4444-555555555555");
    assertThat(settings.pool().maxWorkers()).isEqualTo(20);
  }

  @Test
  void theFunctionsHostsOwnConstructorReadsTheEnvironmentOnFirstUseAndSaysWhatIsMissing() {
    // This JVM's environment is no Function's: every invocation fails, saying why, and is tried afresh.
    DispatcherFunctions hosted = new DispatcherFunctions();
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> hosted.tick("{}", new FunctionsInvocation(DispatcherFunctions.TICK)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(FunctionSettings.TASK_QUEUE + " is not set");
    }
  }

  @Test
  void theTransportIsFoundByNameInTheFunctionsOwnClassLoader() {
    try (Transport found = DispatcherFunctions.transportProvider(InMemoryTransportProvider.NAME).create(Map.of())) {
      assertThat(found).isInstanceOf(InMemoryTransport.class);
    }
    assertThatThrownBy(() -> DispatcherFunctions.transportProvider("no-such-transport"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no transport named 'no-such-transport'");
  }

  @Test
  void theProductionComputeProviderLaunchesServiceBusWorkersOnTheScaleSetTheSettingsName() {
    // ARM is the fake at the HTTP boundary; everything else is what the Function builds from its settings.
    try (FakeArm arm = FakeArm.start()) {
      String scaleSet = arm.createPool("shoal-rg", "shoal-workers", "pool-1");
      FunctionSettings settings = FunctionSettings.fromEnvironment(environment(Map.of(
          FunctionSettings.SCALE_SET_ID, scaleSet,
          FunctionSettings.WORKER_IDENTITY_CLIENT_ID, "11111111-2222-3333-4444-555555555555",
          PoolSettings.WORKER_PAYLOAD_STORE, "azblob://shoalworkers.blob.core.windows.net/payloads")));
      try (ComputeProvider provider = DispatcherFunctions.providerBuilder(settings)
          .computeManager(arm.computeManager()).pollInterval(Duration.ofMillis(10)).build()) {
        assertThat(provider.launch(1)).hasSize(1);
        assertThat(arm.capacity(scaleSet)).isEqualTo(1);
        String script = arm.customData(scaleSet);
        assertThat(script)
            .contains("'--transport' 'servicebus'")
            .contains("'--queue' 'shoal-tasks'")
            .contains("'--setting' 'servicebus.namespace=shoal.example.invalid'")
            .contains("'--slots' '2'")
            .contains("https://jars.example.invalid/worker/shoal-worker.jar")
            .contains("11111111-2222-3333-4444-555555555555")
            // Large arguments and results go through the payload container the Bicep makes.
            .contains("'--payload-store' 'azblob://shoalworkers.blob.core.windows.net/payloads'")
            // No VM-only queue in the settings: the workers serve the task queue alone.
            .doesNotContain("--vm-queue");
      }
    }
  }

  @Test
  void theProductionComputeProviderTellsTheWorkersToServeTheVmOnlyQueueTheSettingsName() {
    try (FakeArm arm = FakeArm.start()) {
      String scaleSet = arm.createPool("shoal-rg", "shoal-workers", "pool-1");
      FunctionSettings settings = FunctionSettings.fromEnvironment(environment(Map.of(
          FunctionSettings.SCALE_SET_ID, scaleSet,
          FunctionSettings.VM_QUEUE, " sb://shoal.example.invalid/shoal-vm-tasks ")));
      assertThat(settings.vmQueue()).isEqualTo("sb://shoal.example.invalid/shoal-vm-tasks");
      try (ComputeProvider provider = DispatcherFunctions.providerBuilder(settings)
          .computeManager(arm.computeManager()).pollInterval(Duration.ofMillis(10)).build()) {
        assertThat(provider.launch(1)).hasSize(1);
        assertThat(arm.customData(scaleSet))
            .containsOnlyOnce("'--queue' 'shoal-tasks'")
            .containsOnlyOnce("'--vm-queue' 'sb://shoal.example.invalid/shoal-vm-tasks'");
      }
    }
  }

  @Test
  void theVmOnlyQueueIsOptionalAndABlankSettingIsNone() {
    assertThat(FunctionSettings.fromEnvironment(environment(Map.of())).vmQueue()).isNull();
    assertThat(FunctionSettings.fromEnvironment(environment(Map.of(FunctionSettings.VM_QUEUE, "  "))).vmQueue())
        .isNull();
    assertThat(FunctionSettings.VARIABLES).contains(FunctionSettings.VM_QUEUE);
  }

  @Test
  void withAWorkerFunctionNamedAnEvaluationTurnsItsBurstOnWhileVmsBootAndOffOnceTheyRun() {
    // ARM is the fake at the HTTP boundary, the switch the one the Function builds from its settings.
    try (FakeArm arm = FakeArm.start()) {
      String burstApp = arm.createFunctionApp("shoal-rg", "shoal-burst", Map.of(
          "FUNCTIONS_WORKER_RUNTIME", "java", "AzureWebJobs.work.Disabled", "true"));
      FunctionSettings settings = FunctionSettings.fromEnvironment(environment(Map.of(
          FunctionSettings.BURST_FUNCTION_APP_ID, burstApp)));
      assertThat(settings.burstFunction()).isEqualTo(WorkerFunctions.WORK);
      DispatcherFunctions functions = new DispatcherFunctions(settings, transport, provider,
          DispatcherFunctions.burstSwitchBuilder(settings).environment(arm.profile().getEnvironment())
              .pipeline(arm.pipeline()).build(), clock);
      publish(7);

      FunctionsInvocation tick = new FunctionsInvocation(DispatcherFunctions.TICK);
      functions.tick("{}", tick);

      // 4 VMs launched and booting, none running: the functions take the backlog meanwhile.
      assertThat(provider.workers()).hasSize(4);
      assertThat(arm.appSettings(burstApp)).containsEntry("AzureWebJobs.work.Disabled", "false")
          .containsEntry("FUNCTIONS_WORKER_RUNTIME", "java");
      assertThat(tick.lines()).singleElement().asString().contains("burst");

      // The VMs arrive: the burst goes off again, and another evaluation leaves it (no further write).
      provider.workers().forEach(worker -> provider.polls(worker.id()));
      functions.tick("{}", new FunctionsInvocation(DispatcherFunctions.TICK));
      assertThat(arm.appSettings(burstApp)).containsEntry("AzureWebJobs.work.Disabled", "true");
      functions.tick("{}", new FunctionsInvocation(DispatcherFunctions.TICK));
      assertThat(arm.appSettingsWrites(burstApp)).isEqualTo(2);
    }
  }

  @Test
  void aBurstFunctionWithoutItsAppIsRefusedAndNoneMeansNoSwitch() {
    assertThatThrownBy(() -> FunctionSettings.fromEnvironment(environment(Map.of(FunctionSettings.BURST_FUNCTION,
        "work")))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(FunctionSettings.BURST_FUNCTION_APP_ID);
    FunctionSettings none = FunctionSettings.fromEnvironment(environment(Map.of()));
    assertThat(none.hasBurst()).isFalse();
    assertThat(DispatcherFunctions.burstSwitch(none)).isNull();
  }
}
