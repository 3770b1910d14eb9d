package dev.shoal.azure.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.dispatcher.PoolSettings;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker function's settings, read from the burst app's settings as main.bicep sets them. */
class WorkerFunctionSettingsTest {
  private static Map<String, String> environment(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(Map.of(
        FunctionSettings.TASK_QUEUE, "sb://shoal.servicebus.windows.net/shoal-tasks",
        WorkerFunctionSettings.TASK_QUEUE_NAME, "shoal-tasks",
        FunctionSettings.TRANSPORT_SETTING_PREFIX + "servicebus__namespace", "shoal.servicebus.windows.net",
        PoolSettings.SLOTS_PER_WORKER, "4",
        PoolSettings.WORKER_PAYLOAD_STORE, "azblob://shoaljar.blob.core.windows.net/payloads",
        WorkerFunctionSettings.FUNCTION_TIMEOUT, "00:10:00"));
    env.putAll(overrides);
    return env;
  }

  @Test
  void theBurstAppsSettingsGiveTheWorkersRulesAndABatchTheFunctionTimeoutLessAMargin() {
    WorkerFunctionSettings settings = WorkerFunctionSettings.fromEnvironment(environment(Map.of()));
    assertThat(settings.slots()).isEqualTo(4);
    assertThat(settings.maxDeliveries()).isEqualTo(3);
    assertThat(settings.transportSettings()).containsEntry("servicebus.namespace", "shoal.servicebus.windows.net");
    assertThat(settings.payloadStore()).isEqualTo(URI.create("azblob://shoaljar.blob.core.windows.net/payloads"));
    assertThat(settings.timeLimit()).isEqualTo(Duration.ofMinutes(10).minus(WorkerFunctionSettings.ANSWER_MARGIN));
    // Without the override, host.json's two minutes.
    Map<String, String> plain = environment(Map.of());
    plain.remove(WorkerFunctionSettings.FUNCTION_TIMEOUT);
    assertThat(WorkerFunctionSettings.fromEnvironment(plain).timeLimit())
        .isEqualTo(Duration.ofMinutes(2).minus(WorkerFunctionSettings.ANSWER_MARGIN));
  }

  @Test
  void aTriggerQueueThatIsNotTheTaskQueueAndABadTimeoutAreRefusedByName() {
    assertThatThrownBy(() -> WorkerFunctionSettings.fromEnvironment(environment(Map.of(
        WorkerFunctionSettings.TASK_QUEUE_NAME, "other-queue",
        WorkerFunctionSettings.FUNCTION_TIMEOUT, "ten minutes"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(WorkerFunctionSettings.TASK_QUEUE_NAME + " (other-queue")
        .hasMessageContaining(WorkerFunctionSettings.FUNCTION_TIMEOUT + " is not a time span");
  }

  @Test
  void timeSpansAreReadAsHostJsonWritesThem() {
    assertThat(WorkerFunctionSettings.timeSpan("00:10:00")).isEqualTo(Duration.ofMinutes(10));
    assertThat(WorkerFunctionSettings.timeSpan("1.02:03:04.5"))
        .isEqualTo(Duration.ofDays(1).plusHours(2).plusMinutes(3).plusSeconds(4).plusMillis(500));
    assertThatThrownBy(() -> WorkerFunctionSettings.timeSpan("PT10M")).isInstanceOf(IllegalArgumentException.class);
  }
}
