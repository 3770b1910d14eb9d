package dev.shoal.azure.dispatcher;

import dev.shoal.dispatcher.PoolSettings;
import dev.shoal.dispatcher.SettingsReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The dispatcher Function's configuration, read only from its app settings (environment variables)
 * that {@code infra/azure/main.bicep} sets. Every variable it reads is a constant here or in
 * {@link PoolSettings}, and {@link #VARIABLES} lists them (a test checks that the Bicep sets each).
 *
 * <p><b>Transport settings</b> are passed through without being interpreted here: every variable
 * named {@value #TRANSPORT_SETTING_PREFIX}{@code <key>} becomes the setting {@code <key>} of the
 * {@code servicebus} transport, with {@code __} read as {@code .} (app setting names on Linux take
 * no dots, the convention ASP.NET uses for its {@code :}): {@code
 * SHOAL_TRANSPORT_SETTING_servicebus__namespace} is {@code servicebus.namespace}, exactly as a
 * worker's {@code --setting servicebus.namespace=...}, so that the Function and the workers it launches are configured alike. No secret
 * belongs there: the Function reaches Service Bus with its managed identity.
 *
 * @param taskQueue the task queue: a name or an address, resolved by the transport
 * @param transportSettings the {@code servicebus} transport's settings
 * @param scaleSetId the ARM resource id of the workers' scale set
 * @param workerJarUrl the worker jar's blob URL, which workers fetch with their managed identity
 * @param workerIdentityClientId the client id of the workers' user-assigned identity, which a
 *     worker names to pick it (null: the VM's only identity)
 * @param heartbeatContainerUrl the Blob container the workers beat their heartbeats in (null: no
 *     heartbeats, so a worker that hangs is never found silent)
 * @param pool the scaling limits and targets, and what the workers are told
 * @param burstFunctionAppId the ARM resource id of the function app that runs the burst worker
 *     function (null: the pool has no burst workers)
 * @param burstFunction the burst worker function's name in that app (null when there is no app)
 * @param vmQueue the pool's VM-only queue, a name or an address resolved by the transport: the
 *     tasks of apps that may not run in the burst function, which the VMs serve beside the task
 *     queue and the burst never reads (null: none, every task is on the task queue)
 */
record FunctionSettings(String taskQueue, Map<String, String> transportSettings, String scaleSetId,
    String workerJarUrl, String workerIdentityClientId, String heartbeatContainerUrl, PoolSettings pool,
    String burstFunctionAppId, String burstFunction, String vmQueue) {

  /** The task queue's name (or address) (required). */
  static final String TASK_QUEUE = "SHOAL_TASK_QUEUE";
  /** The prefix of the variables passed to the transport as settings; at least one is required. */
  static final String TRANSPORT_SETTING_PREFIX = "SHOAL_TRANSPORT_SETTING_";
  /** The scale set's ARM resource id (required). */
  static final String SCALE_SET_ID = "SHOAL_SCALE_SET_ID";
  /** The worker jar's blob URL (required). */
  static final String WORKER_JAR_URL = "SHOAL_WORKER_JAR_URL";
  /** The workers' user-assigned identity's client id (optional). */
  static final String WORKER_IDENTITY_CLIENT_ID = "SHOAL_WORKER_IDENTITY_CLIENT_ID";
  /** The workers' heartbeat container's URL (optional). */
  static final String HEARTBEAT_CONTAINER_URL = "SHOAL_HEARTBEAT_CONTAINER_URL";
  /**
   * The ARM resource id of the app whose worker function is the pool's burst (optional: without it
   * the dispatcher turns nothing on or off).
   */
  static final String BURST_FUNCTION_APP_ID = "SHOAL_BURST_FUNCTION_APP_ID";
  /** The burst worker function's name in that app (optional; default {@value WorkerFunctions#WORK}, this module's). */
  static final String BURST_FUNCTION = "SHOAL_BURST_FUNCTION";
  /**
   * The VM-only queue's name or address (optional: without it every task is on the task queue,
   * where the burst may take it).
   */
  static final String VM_QUEUE = "SHOAL_VM_QUEUE";

  /** Every fixed variable the Function reads (the transport's are named by the deployment). */
  static final List<String> VARIABLES;

  static {
    List<String> all = new ArrayList<>(List.of(TASK_QUEUE, SCALE_SET_ID, WORKER_JAR_URL, WORKER_IDENTITY_CLIENT_ID,
        HEARTBEAT_CONTAINER_URL, BURST_FUNCTION_APP_ID, BURST_FUNCTION, VM_QUEUE));
    all.addAll(PoolSettings.VARIABLES);
    VARIABLES = List.copyOf(all);
  }

  FunctionSettings {
    Objects.requireNonNull(taskQueue, TASK_QUEUE);
    transportSettings = Map.copyOf(transportSettings);
    Objects.requireNonNull(scaleSetId, SCALE_SET_ID);
    Objects.requireNonNull(workerJarUrl, WORKER_JAR_URL);
    Objects.requireNonNull(pool, "pool");
    if ((burstFunctionAppId == null) != (burstFunction == null)) {
      throw new IllegalArgumentException("a burst needs both the function app and the function: " + burstFunctionAppId
          + ", " + burstFunction);
    }
    // The same queue twice would count its tasks twice and tell workers to receive it twice.
    if (vmQueue != null && vmQueue.equals(taskQueue)) {
      throw new IllegalArgumentException("the VM-only queue must be another queue than the task queue: " + vmQueue);
    }
  }

  /** Settings of a pool without burst workers or a VM-only queue. */
  FunctionSettings(String taskQueue, Map<String, String> transportSettings, String scaleSetId, String workerJarUrl,
      String workerIdentityClientId, String heartbeatContainerUrl, PoolSettings pool) {
    this(taskQueue, transportSettings, scaleSetId, workerJarUrl, workerIdentityClientId, heartbeatContainerUrl, pool,
        null, null, null);
  }

  /** Whether the pool has burst workers for the dispatcher to turn on and off. */
  boolean hasBurst() {
    return burstFunctionAppId != null;
  }

  /** Reads the settings; throws {@link IllegalArgumentException} naming every variable that is missing or wrong. */
  static FunctionSettings fromEnvironment(Map<String, String> env) {
    SettingsReader read = new SettingsReader(env);
    Map<String, String> transport = transportSettings(env, read);
    String burstApp = read.optional(BURST_FUNCTION_APP_ID);
    String burstFunction = read.optional(BURST_FUNCTION);
    if (burstApp == null && burstFunction != null) {
      read.problem(BURST_FUNCTION + " is set but not " + BURST_FUNCTION_APP_ID + ", the app it runs in");
      burstFunction = null;
    } else if (burstApp != null && burstFunction == null) {
      burstFunction = WorkerFunctions.WORK;
    }
    String taskQueue = read.required(TASK_QUEUE);
    String vmQueue = read.optional(VM_QUEUE);
    if (vmQueue != null && vmQueue.equals(taskQueue)) {
      read.problem(VM_QUEUE + " names the task queue (" + TASK_QUEUE + "); it must be another queue");
      vmQueue = null;
    }
    FunctionSettings settings = new FunctionSettings(
        taskQueue,
        transport,
        read.required(SCALE_SET_ID),
        read.required(WORKER_JAR_URL),
        read.optional(WORKER_IDENTITY_CLIENT_ID),
        read.optional(HEARTBEAT_CONTAINER_URL),
        PoolSettings.read(read),
        burstApp,
        burstFunction,
        vmQueue);
    read.check("dispatcher configuration");
    return settings;
  }

  /**
   * The {@value #TRANSPORT_SETTING_PREFIX}{@code <key>} variables as the transport's settings (the
   * worker function reads them the same way); none is a problem noted on the reader.
   */
  static Map<String, String> transportSettings(Map<String, String> env, SettingsReader read) {
    Map<String, String> transport = new TreeMap<>();
    env.forEach((name, value) -> {
      if (name.startsWith(TRANSPORT_SETTING_PREFIX) && name.length() > TRANSPORT_SETTING_PREFIX.length()) {
        String setting = read.optional(name);
        if (setting != null) {
          transport.put(name.substring(TRANSPORT_SETTING_PREFIX.length()).replace("__", "."), setting);
        }
      }
    });
    if (transport.isEmpty()) {
      read.problem("no transport setting: set " + TRANSPORT_SETTING_PREFIX + "<key> for the servicebus transport");
    }
    return transport;
  }
}
