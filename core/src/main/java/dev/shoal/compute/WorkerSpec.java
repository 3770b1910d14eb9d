package dev.shoal.compute;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a worker needs to be told to start: the transport it opens (by provider name and
 * settings, see {@link dev.shoal.transport.TransportProvider}), the queue it polls, and its limits.
 *
 * @param transport the transport provider's name, such as "sqs"
 * @param transportSettings the provider's settings (endpoint, region, ...); no secrets belong here
 * @param queue the task queue's address
 * @param slots tasks a worker runs at once
 * @param idleTimeout a worker exits after this long without work; null for never
 * @param lease the task queue's visibility timeout, which the worker extends while it works
 * @param maxDeliveries deliveries after which a task that kills its worker is dead-lettered
 * @param receiveWait how long one long poll waits (at most 20 s on SQS)
 */
public record WorkerSpec(String transport, Map<String, String> transportSettings, String queue, int slots,
    Duration idleTimeout, Duration lease, int maxDeliveries, Duration receiveWait) {

  /** The default long poll of 20 s, SQS's longest. */
  public static final Duration DEFAULT_RECEIVE_WAIT = Duration.ofSeconds(20);

  public WorkerSpec(String transport, Map<String, String> transportSettings, String queue, int slots,
      Duration idleTimeout, Duration lease, int maxDeliveries) {
    this(transport, transportSettings, queue, slots, idleTimeout, lease, maxDeliveries, DEFAULT_RECEIVE_WAIT);
  }

  public WorkerSpec {
    Objects.requireNonNull(transport, "transport");
    transportSettings = Map.copyOf(transportSettings);
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(receiveWait, "receiveWait");
    if (slots < 1) {
      throw new IllegalArgumentException("slots must be >= 1: " + slots);
    }
  }

  public WorkerSpec withReceiveWait(Duration wait) {
    return new WorkerSpec(transport, transportSettings, queue, slots, idleTimeout, lease, maxDeliveries, wait);
  }

  /** The worker's command-line arguments (after its main class) for this spec. */
  public List<String> arguments() {
    List<String> args = new ArrayList<>(List.of("--transport", transport, "--queue", queue,
        "--slots", Integer.toString(slots), "--lease", lease.toString(),
        "--max-deliveries", Integer.toString(maxDeliveries), "--receive-wait", receiveWait.toString(),
        "--idle-timeout", idleTimeout == null ? "0" : idleTimeout.toString()));
    transportSettings.forEach((key, value) -> {
      args.add("--setting");
      args.add(key + "=" + value);
    });
    return args;
  }

  /** The worker's main class. */
  public static final String MAIN_CLASS = "dev.shoal.worker.WorkerMain";
}
