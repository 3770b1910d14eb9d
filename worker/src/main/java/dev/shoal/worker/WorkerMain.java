package dev.shoal.worker;

import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a worker process, with the command line that {@link WorkerOptions} renders and reads:
 *
 * <pre>
 * java -cp ... dev.shoal.worker.WorkerMain --transport sqs --setting endpoint=http://localhost:9324 \
 *     --queue tasks [--slots N] [--idle-timeout PT5M|0] [--lease PT30S] [--receive-wait PT20S] \
 *     [--max-deliveries 3] [--work-dir DIR] [--worker-id ID] [--signing-key-env VAR]
 * </pre>
 *
 * Prints one line with "ready" on stdout once it polls (process launchers wait for it); logs go to
 * stderr. Exits 0 when it stops cleanly (idle, or asked to), 2 on bad arguments, 1 when it cannot
 * start.
 *
 * <p>With {@value HeartbeatProvider#TARGET_ENV} set to a URI (such as
 * {@code s3://bucket/ready/pool/i-0abc}), it beats a {@link Heartbeat} there at once and then every
 * {@value HeartbeatProvider#PERIOD_ENV} (default {@code PT1M}) while the worker makes progress on its
 * queue: the sign of life its dispatcher reads.
 */
public final class WorkerMain {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);
  static final Duration DEFAULT_HEARTBEAT_PERIOD = Duration.ofMinutes(1);
  private static final Duration STALL_MARGIN = Duration.ofMinutes(2);

  private WorkerMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.println(WorkerOptions.USAGE);
      return 0;
    }
    WorkerOptions options;
    try {
      options = WorkerOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(WorkerOptions.USAGE);
      return 2;
    }
    String keyVariable = options.signingKeyEnv() != null ? options.signingKeyEnv() : EnvelopeSigner.KEY_ENV;
    String key = env.get(keyVariable);
    if (options.signingKeyEnv() != null && (key == null || key.isEmpty())) {
      // Named explicitly: running without it would silently accept unsigned tasks.
      err.println("error: the signing key variable " + keyVariable + " is not set");
      return 2;
    }
    URI heartbeatTarget;
    Duration heartbeatPeriod;
    HeartbeatProvider heartbeats;
    try {
      heartbeatTarget = heartbeatTarget(env);
      heartbeatPeriod = heartbeatPeriod(env);
      heartbeats = heartbeatTarget == null ? null : HeartbeatProvider.forScheme(heartbeatTarget.getScheme());
    } catch (IllegalArgumentException e) {
      // Set but unusable: running without it would look like a worker that never started.
      err.println("error: " + (e.getMessage().contains(HeartbeatProvider.TARGET_ENV) ? ""
          : HeartbeatProvider.TARGET_ENV + ": ") + e.getMessage());
      return 2;
    }
    WireCodec codec = new WireCodec(JsonCodec.create());
    EnvelopeSigner signer;
    TransportProvider provider;
    try {
      signer = key == null || key.isEmpty() ? null : EnvelopeSigner.fromSecret(key, codec);
      provider = TransportProvider.named(options.transport());
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(WorkerOptions.USAGE);
      return 2;
    }

    Transport opened;
    try {
      opened = provider.create(options.transportSettings());
    } catch (RuntimeException e) {
      log.error("worker could not start", e);
      err.println("error: " + e);
      return 1;
    }
    // Watched only for a heartbeat, which beats while the transport's calls are answered.
    ActivityTrackingTransport watched = heartbeats == null ? null : new ActivityTrackingTransport(opened,
        Clock.systemUTC());
    try (Transport transport = watched != null ? watched : opened) {
      String queue = transport.resolveQueue(options.queue()).get(1, TimeUnit.MINUTES);
      WorkerConfig config = WorkerConfig.builder(options.withQueue(queue)).transport(transport).codec(codec)
          .signer(signer).build();
      // Created before the worker starts, so that a target it cannot write stops nothing half-started.
      Heartbeat beat = heartbeats == null ? null : heartbeats.create(heartbeatTarget, options.transportSettings());
      Worker worker = Worker.start(config);
      HeartbeatLoop heartbeat = beat == null ? null : HeartbeatLoop.start(worker.id(), beat,
          watched, heartbeatPeriod, stallLimit(options), Clock.systemUTC());
      // SIGTERM (a scale-in, a stop) takes the same clean path as the idle timeout. The hook
      // blocks, because the JVM exits as soon as its hooks return.
      Thread hook = new Thread(() -> {
        worker.shutdown();
        worker.awaitTermination();
      }, "shoal-worker-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      out.println("worker " + worker.id() + " ready: queue " + queue + ", " + worker.config().options().slots()
          + " slots");
      out.flush();
      worker.awaitTermination();
      if (heartbeat != null) {
        heartbeat.close();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is what stopped the worker.
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      log.error("worker could not start", e);
      err.println("error: " + e);
      return 1;
    }
  }

  private static URI heartbeatTarget(Map<String, String> env) {
    String value = env.get(HeartbeatProvider.TARGET_ENV);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      URI target = new URI(value.trim());
      if (target.getScheme() == null) {
        throw new URISyntaxException(value, "no scheme");
      }
      return target;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(HeartbeatProvider.TARGET_ENV + " is not a URI such as s3://bucket/key: "
          + value);
    }
  }

  private static Duration heartbeatPeriod(Map<String, String> env) {
    String value = env.get(HeartbeatProvider.PERIOD_ENV);
    if (value == null || value.isBlank()) {
      return DEFAULT_HEARTBEAT_PERIOD;
    }
    try {
      Duration period = Duration.parse(value.trim());
      if (!period.isNegative() && !period.isZero()) {
        return period;
      }
    } catch (DateTimeParseException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(HeartbeatProvider.PERIOD_ENV
        + " is not a positive ISO-8601 duration such as PT1M: " + value);
  }

  /**
   * How long a worker may go without an answer from its queue service before it stops beating: a
   * long poll, plus room for the SDK's own retries and the worker's backoff after failures.
   */
  static Duration stallLimit(WorkerOptions options) {
    return options.receiveWait().plus(STALL_MARGIN);
  }
}
