package dev.shoal.azure.dispatcher;

import dev.shoal.dispatcher.PoolSettings;
import dev.shoal.dispatcher.SettingsReader;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The burst worker function's configuration, from the app settings of the app that runs it
 * (infra/azure/main.bicep's burst app): the same variables, with the same meaning, as the VM
 * workers get on their command line from the dispatcher, so that a task runs alike on both.
 * The signing key ({@code SHOAL_SIGNING_KEY}) is read by the function itself and kept out of this
 * record, whose {@code toString} is logged.
 *
 * @param taskQueue the task queue's address (as the dispatcher's {@value FunctionSettings#TASK_QUEUE}): where
 *     a redelivered bundle's tasks are re-sent one by one
 * @param taskQueueName the queue the trigger listens to ({@value #TASK_QUEUE_NAME}, the trigger's
 *     {@code %...%} expression); checked to be the address's queue
 * @param transportSettings the {@code servicebus} transport's settings, read as the dispatcher reads them
 * @param slots tasks run at once on one instance ({@link PoolSettings#SLOTS_PER_WORKER}, default 2)
 * @param maxDeliveries deliveries after which a single task is poison ({@link PoolSettings#WORKER_MAX_DELIVERIES})
 * @param payloadStore where large arguments are read and large results written (null: none)
 * @param timeLimit what one batch may take: the host's function timeout less a margin to answer it
 */
record WorkerFunctionSettings(String taskQueue, String taskQueueName, Map<String, String> transportSettings,
    int slots, int maxDeliveries, URI payloadStore, Duration timeLimit) {

  /** The task queue's name, which the trigger's {@code queueName} expression reads. */
  static final String TASK_QUEUE_NAME = "SHOAL_TASK_QUEUE_NAME";
  /**
   * The trigger's connection: the app settings under this prefix ({@code
   * SHOAL_SERVICEBUS__fullyQualifiedNamespace}) make it an identity-based connection, with the app's
   * managed identity, as the dispatcher reaches Service Bus; the code never reads them.
   */
  static final String CONNECTION = "SHOAL_SERVICEBUS";
  /**
   * The host's function timeout, when the app overrides host.json's (an app setting in the host's
   * {@code hh:mm:ss}); the worker function's app sets it, since host.json's two minutes are the
   * dispatcher's.
   */
  static final String FUNCTION_TIMEOUT = "AzureFunctionsJobHost__functionTimeout";
  /** host.json's functionTimeout, when no app setting overrides it. */
  static final Duration HOST_JSON_TIMEOUT = Duration.ofMinutes(2);
  /** Left of the function timeout to finish the invocation: a batch that runs into the timeout is abandoned whole. */
  static final Duration ANSWER_MARGIN = Duration.ofSeconds(15);

  /** The fixed variables the worker function reads, or its trigger does (the transport's are named by the deployment). */
  static final List<String> VARIABLES;

  static {
    List<String> all = new ArrayList<>(List.of(FunctionSettings.TASK_QUEUE, TASK_QUEUE_NAME,
        CONNECTION + "__fullyQualifiedNamespace", FUNCTION_TIMEOUT, PoolSettings.SLOTS_PER_WORKER,
        PoolSettings.WORKER_MAX_DELIVERIES, PoolSettings.WORKER_PAYLOAD_STORE));
    VARIABLES = List.copyOf(all);
  }

  WorkerFunctionSettings {
    Objects.requireNonNull(taskQueue, FunctionSettings.TASK_QUEUE);
    Objects.requireNonNull(taskQueueName, TASK_QUEUE_NAME);
    transportSettings = Map.copyOf(transportSettings);
    Objects.requireNonNull(timeLimit, "timeLimit");
  }

  /** Reads the settings; throws {@link IllegalArgumentException} naming every variable that is missing or wrong. */
  static WorkerFunctionSettings fromEnvironment(Map<String, String> env) {
    SettingsReader read = new SettingsReader(env);
    Map<String, String> transport = FunctionSettings.transportSettings(env, read);
    String queue = read.required(FunctionSettings.TASK_QUEUE);
    String name = read.required(TASK_QUEUE_NAME);
    if (!queue.isEmpty() && !name.isEmpty() && !(queue.equals(name) || queue.endsWith("/" + name))) {
      read.problem(TASK_QUEUE_NAME + " (" + name + ", the queue the trigger listens to) is not the queue of "
          + FunctionSettings.TASK_QUEUE + " (" + queue + ")");
    }
    int slots = read.integer(PoolSettings.SLOTS_PER_WORKER, 2);
    int maxDeliveries = read.integer(PoolSettings.WORKER_MAX_DELIVERIES, 3);
    if (slots < 1) {
      read.problem(PoolSettings.SLOTS_PER_WORKER + " must be at least 1: " + slots);
    }
    if (maxDeliveries < 1) {
      read.problem(PoolSettings.WORKER_MAX_DELIVERIES + " must be at least 1: " + maxDeliveries);
    }
    Duration timeout = HOST_JSON_TIMEOUT;
    String override = read.optional(FUNCTION_TIMEOUT);
    if (override != null) {
      try {
        timeout = timeSpan(override);
      } catch (IllegalArgumentException e) {
        read.problem(FUNCTION_TIMEOUT + " is not a time span such as 00:10:00: " + override);
      }
    }
    if (timeout.compareTo(ANSWER_MARGIN.multipliedBy(2)) < 0) {
      read.problem(FUNCTION_TIMEOUT + " leaves a batch no time: " + override);
    }
    WorkerFunctionSettings settings = new WorkerFunctionSettings(queue, name, transport, slots, maxDeliveries,
        read.uri(PoolSettings.WORKER_PAYLOAD_STORE), timeout.minus(ANSWER_MARGIN));
    read.check("worker function configuration");
    return settings;
  }

  /** A .NET time span as host.json writes one: {@code [d.]hh:mm:ss[.fff]}. */
  static Duration timeSpan(String text) {
    String rest = text.trim();
    long days = 0;
    int dot = rest.indexOf('.');
    int colon = rest.indexOf(':');
    if (dot >= 0 && dot < colon) {
      days = Long.parseLong(rest.substring(0, dot));
      rest = rest.substring(dot + 1);
    }
    String[] parts = rest.split(":");
    if (parts.length != 3) {
      throw new IllegalArgumentException("not hh:mm:ss: " + text);
    }
    try {
      double seconds = Double.parseDouble(parts[2]);
      return Duration.ofDays(days).plusHours(Long.parseLong(parts[0])).plusMinutes(Long.parseLong(parts[1]))
          .plusMillis(Math.round(seconds * 1000));
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException("not hh:mm:ss: " + text, e);
    }
  }
}
