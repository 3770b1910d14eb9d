package dev.shoal.dispatcher;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The settings of a worker pool that every cloud host of the {@link ScalingStep} reads alike from
 * its environment: the scaling limits and targets, the tasks a message carries when nothing better
 * is known, and what the launched workers are told. Each constant is the variable's name; {@link
 * #VARIABLES} lists them all, so that a host's deployment template can be checked against them.
 *
 * @param tasksPerMessage the average tasks a queue message carries (the client bundles them), used
 *     only while the task queue has no record of its own and no nudge has said; 1 if unknown
 * @param workerIdleTimeout a worker with nothing to do for this long exits
 * @param workerLease the task queue's lease (visibility timeout, lock) the workers renew while they work
 * @param workerMaxDeliveries deliveries after which a worker dead-letters a task as poison, telling
 *     its client; the task queue's own redrive count must be above it, or the queue moves the task
 *     away before the delivery on which the worker would say so
 * @param workerPayloadStore the root of the payload store the workers read large arguments from and
 *     write large results to ({@code --payload-store}), the same one the clients use; null for none,
 *     and then a task that comes with a payload reference fails on the worker
 */
public record PoolSettings(int minWorkers, int maxWorkers, int slotsPerWorker, double targetBacklogPerSlot,
    double tasksPerMessage, Duration idleCoolDown, Duration pendingDeadline, Duration silenceLimit,
    Duration workerIdleTimeout, Duration workerLease, int workerMaxDeliveries, URI workerPayloadStore) {

  public static final String MIN_WORKERS = "SHOAL_MIN_WORKERS";
  public static final String MAX_WORKERS = "SHOAL_MAX_WORKERS";
  public static final String SLOTS_PER_WORKER = "SHOAL_SLOTS_PER_WORKER";
  public static final String TARGET_BACKLOG_PER_SLOT = "SHOAL_TARGET_BACKLOG_PER_SLOT";
  public static final String TASKS_PER_MESSAGE = "SHOAL_TASKS_PER_MESSAGE";
  public static final String IDLE_COOLDOWN = "SHOAL_IDLE_COOLDOWN";
  public static final String PENDING_DEADLINE = "SHOAL_PENDING_DEADLINE";
  /**
   * How long a polling worker may go without a heartbeat before it is terminated as silent; the
   * workers beat every {@linkplain #heartbeatPeriod() fifth of it}.
   */
  public static final String SILENCE_LIMIT = "SHOAL_SILENCE_LIMIT";
  public static final String WORKER_IDLE_TIMEOUT = "SHOAL_WORKER_IDLE_TIMEOUT";
  public static final String WORKER_LEASE = "SHOAL_WORKER_LEASE";
  public static final String WORKER_MAX_DELIVERIES = "SHOAL_WORKER_MAX_DELIVERIES";
  /**
   * The workers' payload store, a URI such as {@code s3://bucket/payloads} or
   * {@code azblob://account.blob.core.windows.net/payloads}; blank for none.
   */
  public static final String WORKER_PAYLOAD_STORE = "SHOAL_WORKER_PAYLOAD_STORE";

  /** Every variable above. */
  public static final List<String> VARIABLES = List.of(MIN_WORKERS, MAX_WORKERS, SLOTS_PER_WORKER,
      TARGET_BACKLOG_PER_SLOT, TASKS_PER_MESSAGE, IDLE_COOLDOWN, PENDING_DEADLINE, SILENCE_LIMIT, WORKER_IDLE_TIMEOUT,
      WORKER_LEASE, WORKER_MAX_DELIVERIES, WORKER_PAYLOAD_STORE);

  private static final Duration SHORTEST_HEARTBEAT = Duration.ofSeconds(5);
  private static final Duration LONGEST_HEARTBEAT = Duration.ofMinutes(1);

  /** Settings without a payload store for the workers (as before there was one). */
  public PoolSettings(int minWorkers, int maxWorkers, int slotsPerWorker, double targetBacklogPerSlot,
      double tasksPerMessage, Duration idleCoolDown, Duration pendingDeadline, Duration silenceLimit,
      Duration workerIdleTimeout, Duration workerLease, int workerMaxDeliveries) {
    this(minWorkers, maxWorkers, slotsPerWorker, targetBacklogPerSlot, tasksPerMessage, idleCoolDown, pendingDeadline,
        silenceLimit, workerIdleTimeout, workerLease, workerMaxDeliveries, null);
  }

  /**
   * Reads the pool's settings, each with its default when not set; problems are noted on the reader
   * (call {@link SettingsReader#check} once everything is read).
   */
  public static PoolSettings read(SettingsReader read) {
    return new PoolSettings(
        read.integer(MIN_WORKERS, 0),
        read.integer(MAX_WORKERS, 10),
        read.integer(SLOTS_PER_WORKER, 2),
        read.number(TARGET_BACKLOG_PER_SLOT, 1.0),
        read.number(TASKS_PER_MESSAGE, 1.0),
        read.duration(IDLE_COOLDOWN, Duration.ofMinutes(5)),
        read.duration(PENDING_DEADLINE, Duration.ofMinutes(10)),
        read.duration(SILENCE_LIMIT, Duration.ofMinutes(5)),
        read.duration(WORKER_IDLE_TIMEOUT, Duration.ofMinutes(5)),
        read.duration(WORKER_LEASE, Duration.ofSeconds(30)),
        read.integer(WORKER_MAX_DELIVERIES, 3),
        read.uri(WORKER_PAYLOAD_STORE));
  }

  /** The pool's scaling limits and targets, as the {@link ScalingStep} takes them. */
  public ScalingConfig scalingConfig() {
    return ScalingConfig.builder()
        .minWorkers(minWorkers)
        .maxWorkers(maxWorkers)
        .slotsPerWorker(slotsPerWorker)
        .targetBacklogPerSlot(targetBacklogPerSlot)
        .coolDown(idleCoolDown)
        .pendingDeadline(pendingDeadline)
        .silenceLimit(silenceLimit)
        .build();
  }

  /** How often workers beat their heartbeat: a fifth of the silence limit, so that a few lost beats are no silence. */
  public Duration heartbeatPeriod() {
    return heartbeatPeriod(silenceLimit);
  }

  /** A fifth of {@code silenceLimit}, within 5 s and a minute. */
  public static Duration heartbeatPeriod(Duration silenceLimit) {
    Duration fifth = silenceLimit.dividedBy(5);
    return fifth.compareTo(SHORTEST_HEARTBEAT) < 0 ? SHORTEST_HEARTBEAT
        : fifth.compareTo(LONGEST_HEARTBEAT) > 0 ? LONGEST_HEARTBEAT : fifth;
  }
}
