package dev.shoal.aws.dispatcher;

import dev.shoal.dispatcher.PoolSettings;
import dev.shoal.dispatcher.ScalingConfig;
import dev.shoal.dispatcher.SettingsReader;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dispatcher function's configuration, read only from environment variables that
 * {@code template.yaml} sets. Every variable the function reads is a constant here and listed in
 * {@link #VARIABLES} (a test checks the template sets each of them); those every cloud host reads
 * alike are {@link PoolSettings}'s, named here again so the Lambda's list stays whole. Durations are ISO-8601
 * ({@code PT5M}); an empty value means "not set" where a variable is optional.
 */
public record DispatcherSettings(String taskQueueUrl, String pool, int minWorkers, int maxWorkers, int slotsPerWorker,
    double targetBacklogPerSlot, double tasksPerMessage, Duration idleCoolDown, Duration pendingDeadline,
    Duration silenceLimit, String launchTemplateId, String launchTemplateVersion, String subnetId, String workerJarUrl, String readyBucket,
    Duration workerIdleTimeout, Duration workerLease, int workerMaxDeliveries, URI workerPayloadStore,
    String burstMapping, String vmQueueUrl) {

  /** The task queue's URL (required). */
  public static final String TASK_QUEUE_URL = "SHOAL_TASK_QUEUE_URL";
  /** The pool's name: the value of the instances' {@code shoal:pool} tag (required). */
  public static final String POOL = "SHOAL_POOL";
  public static final String MIN_WORKERS = PoolSettings.MIN_WORKERS;
  public static final String MAX_WORKERS = PoolSettings.MAX_WORKERS;
  public static final String SLOTS_PER_WORKER = PoolSettings.SLOTS_PER_WORKER;
  public static final String TARGET_BACKLOG_PER_SLOT = PoolSettings.TARGET_BACKLOG_PER_SLOT;
  /**
   * The average tasks a queue message carries (the client bundles them), used only while the task
   * queue has no record of its own and no nudge has said; 1 if unknown.
   */
  public static final String TASKS_PER_MESSAGE = PoolSettings.TASKS_PER_MESSAGE;
  public static final String IDLE_COOLDOWN = PoolSettings.IDLE_COOLDOWN;
  public static final String PENDING_DEADLINE = PoolSettings.PENDING_DEADLINE;
  /**
   * How long a polling worker may go without a heartbeat before it is terminated as silent; the
   * workers beat every fifth of it (between 5 s and 1 minute). Needs the readiness bucket.
   */
  public static final String SILENCE_LIMIT = PoolSettings.SILENCE_LIMIT;
  /** The workers' launch template id (required). */
  public static final String LAUNCH_TEMPLATE_ID = "SHOAL_LAUNCH_TEMPLATE_ID";
  /** Its version; empty for the template's default version. */
  public static final String LAUNCH_TEMPLATE_VERSION = "SHOAL_LAUNCH_TEMPLATE_VERSION";
  /** A subnet to launch into; empty for the template's (or the default VPC's). */
  public static final String SUBNET_ID = "SHOAL_SUBNET_ID";
  /** The worker jar: {@code s3://bucket/key} (required). */
  public static final String WORKER_JAR_URL = "SHOAL_WORKER_JAR_URL";
  /**
   * The bucket where workers beat their heartbeats ({@code ready/<pool>/<id>}); empty: EC2's state
   * decides pending/running, and no worker is ever found silent.
   */
  public static final String READY_BUCKET = "SHOAL_READY_BUCKET";
  public static final String WORKER_IDLE_TIMEOUT = PoolSettings.WORKER_IDLE_TIMEOUT;
  public static final String WORKER_LEASE = PoolSettings.WORKER_LEASE;
  /**
   * Deliveries after which a worker dead-letters a task as poison, telling its client; the task
   * queue's redrive maxReceiveCount must be above it (the template sets it 2 higher), or the queue
   * moves the task away before the delivery on which the worker would say so.
   */
  public static final String WORKER_MAX_DELIVERIES = PoolSettings.WORKER_MAX_DELIVERIES;
  /**
   * The workers' payload store ({@code --payload-store}), where clients put large arguments and
   * workers large results: {@code s3://<artifact bucket>/payloads} in the template; empty for none.
   */
  public static final String WORKER_PAYLOAD_STORE = PoolSettings.WORKER_PAYLOAD_STORE;
  /**
   * The UUID of the event source mapping that feeds the burst worker function from the task queue,
   * which the dispatcher turns on while a backlog waits for booting VMs and off when they have
   * arrived; empty for a pool without burst workers.
   */
  public static final String BURST_MAPPING = "SHOAL_BURST_MAPPING";
  /**
   * The pool's VM-only queue: the tasks the burst function may not run, which only the VM workers
   * take (they are told {@code --vm-queue}) and whose depth is their demand too; empty for none.
   */
  public static final String VM_QUEUE_URL = "SHOAL_VM_QUEUE_URL";

  /** Every variable above: what the template must set. */
  public static final List<String> VARIABLES = List.of(TASK_QUEUE_URL, POOL, MIN_WORKERS, MAX_WORKERS,
      SLOTS_PER_WORKER, TARGET_BACKLOG_PER_SLOT, TASKS_PER_MESSAGE, IDLE_COOLDOWN, PENDING_DEADLINE, SILENCE_LIMIT,
      LAUNCH_TEMPLATE_ID, LAUNCH_TEMPLATE_VERSION, SUBNET_ID, WORKER_JAR_URL, READY_BUCKET, WORKER_IDLE_TIMEOUT,
      WORKER_LEASE, WORKER_MAX_DELIVERIES, WORKER_PAYLOAD_STORE, BURST_MAPPING,
      VM_QUEUE_URL);

  /**
   * Set by the Lambda runtime itself, not by the template (it is reserved there): the region the
   * workers are told to use.
   */
  public static final String RUNTIME_REGION = "AWS_REGION";

  public DispatcherSettings {
    Objects.requireNonNull(taskQueueUrl, TASK_QUEUE_URL);
    Objects.requireNonNull(pool, POOL);
    Objects.requireNonNull(launchTemplateId, LAUNCH_TEMPLATE_ID);
    Objects.requireNonNull(workerJarUrl, WORKER_JAR_URL);
  }

  /** Settings without a payload store for the workers (as before there was one). */
  public DispatcherSettings(String taskQueueUrl, String pool, int minWorkers, int maxWorkers, int slotsPerWorker,
      double targetBacklogPerSlot, double tasksPerMessage, Duration idleCoolDown, Duration pendingDeadline,
      Duration silenceLimit, String launchTemplateId, String launchTemplateVersion, String subnetId,
      String workerJarUrl, String readyBucket, Duration workerIdleTimeout, Duration workerLease,
      int workerMaxDeliveries) {
    this(taskQueueUrl, pool, minWorkers, maxWorkers, slotsPerWorker, targetBacklogPerSlot, tasksPerMessage,
        idleCoolDown, pendingDeadline, silenceLimit, launchTemplateId, launchTemplateVersion, subnetId, workerJarUrl,
        readyBucket, workerIdleTimeout, workerLease, workerMaxDeliveries, null, null, null);
  }

  /** The settings every cloud host of the scaling step shares: limits, targets, what workers are told. */
  public PoolSettings poolSettings() {
    return new PoolSettings(minWorkers, maxWorkers, slotsPerWorker, targetBacklogPerSlot, tasksPerMessage,
        idleCoolDown, pendingDeadline, silenceLimit, workerIdleTimeout, workerLease, workerMaxDeliveries,
        workerPayloadStore);
  }

  /** The pool's scaling limits and targets, as the {@code ScalingStep} takes them. */
  public ScalingConfig scalingConfig() {
    return poolSettings().scalingConfig();
  }

  /** Reads the settings; throws {@link IllegalArgumentException} naming every variable that is missing or wrong. */
  public static DispatcherSettings fromEnvironment(Map<String, String> env) {
    SettingsReader read = new SettingsReader(env);
    String taskQueueUrl = read.required(TASK_QUEUE_URL);
    String pool = read.required(POOL);
    PoolSettings shared = PoolSettings.read(read);
    DispatcherSettings settings = new DispatcherSettings(taskQueueUrl, pool, shared.minWorkers(), shared.maxWorkers(),
        shared.slotsPerWorker(), shared.targetBacklogPerSlot(), shared.tasksPerMessage(), shared.idleCoolDown(),
        shared.pendingDeadline(), shared.silenceLimit(),
        read.required(LAUNCH_TEMPLATE_ID),
        read.optional(LAUNCH_TEMPLATE_VERSION),
        read.optional(SUBNET_ID),
        read.required(WORKER_JAR_URL),
        read.optional(READY_BUCKET),
        shared.workerIdleTimeout(), shared.workerLease(), shared.workerMaxDeliveries(), shared.workerPayloadStore(),
        read.optional(BURST_MAPPING), read.optional(VM_QUEUE_URL));
    read.check("dispatcher configuration");
    return settings;
  }
}
