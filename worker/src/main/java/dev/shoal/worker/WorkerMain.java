package dev.shoal.worker;

import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a worker process, with the command line that {@link WorkerOptions} renders and reads:
 *
 * <pre>
 * java -cp ... dev.shoal.worker.WorkerMain --transport sqs --setting endpoint=http://localhost:9324 \
 *     --queue tasks [--slots N] [--idle-timeout PT5M|0] [--lease PT30S] [--receive-wait PT20S] \
 *     [--max-deliveries 3] [--work-dir DIR] [--worker-id ID] [--signing-key-env VAR] \
 *     [--queue-wait PT10M|0] [--unreachable-timeout PT15M] [--exit-with-parent]
 * </pre>
 *
 * Prints one line with "ready" on stdout once it polls (process launchers wait for it); logs go to
 * stderr. A queue that does not exist yet is waited for (--queue-wait). SIGTERM, and the end of
 * standard input with --exit-with-parent, stop it cleanly: it lets running tasks finish and
 * releases the rest. Exits 0 when it stops cleanly (idle, or asked to), 2 on bad arguments, 1 when
 * it cannot start or its receiver fails, 3 when it gave up on an unreachable queue service
 * (--unreachable-timeout).
 *
 * <p>With {@value HeartbeatProvider#TARGET_ENV} set to a URI (such as
 * {@code s3://bucket/ready/pool/i-0abc}), it beats a {@link Heartbeat} there at once and then every
 * {@value HeartbeatProvider#PERIOD_ENV} (default {@code PT1M}) while the worker makes progress on its
 * queue: the sign of life its dispatcher reads.
 */
public final class WorkerMain {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);
  /** How long one look-up of the queue may take before it counts as failed. */
  private static final Duration LOOKUP_TIMEOUT = Duration.ofMinutes(1);
  private static final Duration FIRST_QUEUE_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_QUEUE_BACKOFF = Duration.ofSeconds(30);
  static final int EXIT_GAVE_UP = 3;
  static final Duration DEFAULT_HEARTBEAT_PERIOD = Duration.ofMinutes(1);
  private static final Duration STALL_MARGIN = Duration.ofMinutes(2);

  private WorkerMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err, System.getenv(), WorkerMain::onTerminationSignal));
  }

  /**
   * Runs a worker in this process as {@link #main} does, reading this process's standard input
   * (--exit-with-parent) and handling its SIGTERM, without exiting: for another command-line front
   * end ({@code shoal worker}) to exit with the status returned.
   *
   * @param command how the usage text names the command ({@code shoal worker})
   * @return the exit status (see the class comment)
   */
  public static int run(String command, String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(WorkerOptions.usage(command), args, System.in, out, err, env, WorkerMain::onTerminationSignal);
  }

  /**
   * Runs a worker with this command line.
   *
   * @param in read to its end with --exit-with-parent: its end means the launcher is gone
   * @param onTerminationSignal given the action that stops the worker, to run on SIGTERM
   * @return the process's exit status
   */
  static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
      Consumer<Runnable> onTerminationSignal) {
    return run(WorkerOptions.USAGE, args, in, out, err, env, onTerminationSignal);
  }

  private static int run(String usage, String[] args, InputStream in, PrintStream out, PrintStream err,
      Map<String, String> env, Consumer<Runnable> onTerminationSignal) {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.println(usage);
      return 0;
    }
    WorkerOptions options;
    try {
      options = WorkerOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(usage);
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
      err.println(usage);
      return 2;
    }

    // A request to stop, from SIGTERM, the end of stdin or the JVM's shutdown: before the worker
    // starts it ends the wait for the queue; after, it shuts the worker down.
    CompletableFuture<Void> stop = new CompletableFuture<>();
    CompletableFuture<Void> finished = new CompletableFuture<>();
    onTerminationSignal.accept(() -> {
      log.info("SIGTERM: stopping");
      stop.complete(null);
    });
    if (options.exitWithParent()) {
      watchParent(in, stop);
    }
    // Other signals (SIGINT, SIGHUP) take the same clean path. The hook blocks, because the JVM
    // exits as soon as its hooks return.
    Thread hook = new Thread(() -> {
      stop.complete(null);
      finished.join();
    }, "shoal-worker-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Transport opened;
    try {
      opened = provider.create(options.transportSettings());
    } catch (RuntimeException e) {
      log.error("worker could not start", e);
      err.println("error: " + e);
      finished.complete(null);
      removeHook(hook);
      return 1;
    }
    // Watched only for a heartbeat, which beats while the transport's calls are answered.
    ActivityTrackingTransport watched = heartbeats == null ? null : new ActivityTrackingTransport(opened,
        Clock.systemUTC());
    try (Transport transport = watched != null ? watched : opened) {
      Optional<String> queue = awaitQueue(transport, options.queue(), options, stop);
      if (queue.isEmpty()) {
        return 0; // asked to stop while it waited
      }
      WorkerOptions resolved = options.withQueue(queue.get());
      if (options.vmQueue() != null) {
        Optional<String> vmQueue = awaitQueue(transport, options.vmQueue(), options, stop);
        if (vmQueue.isEmpty()) {
          return 0;
        }
        resolved = resolved.withVmQueue(vmQueue.get());
      }
      WorkerConfig config = WorkerConfig.builder(resolved).transport(transport).codec(codec)
          .signer(signer).build();
      // Created before the worker starts, so that a target it cannot write stops nothing half-started.
      Heartbeat beat = heartbeats == null ? null : heartbeats.create(heartbeatTarget, options.transportSettings());
      Worker worker = Worker.start(config);
      HeartbeatLoop heartbeat = beat == null ? null : HeartbeatLoop.start(worker.id(), beat,
          watched, heartbeatPeriod, stallLimit(options), Clock.systemUTC());
      stop.thenRun(worker::shutdown);
      out.println("worker " + worker.id() + " ready: queue " + String.join(" and ", resolved.queues()) + ", "
          + worker.config().options().slots()
          + " slots");
      out.flush();
      worker.awaitTermination();
      if (heartbeat != null) {
        heartbeat.close();
      }
      return switch (worker.stopReason()) {
        case IDLE, ASKED -> 0;
        case QUEUE_UNREACHABLE -> {
          err.println("error: gave up: every poll of the queue failed for " + options.unreachableTimeout());
          yield EXIT_GAVE_UP;
        }
        case FAILED -> 1;
      };
    } catch (QueueWaitException e) {
      log.error("worker could not start: {}", e.getMessage());
      err.println("error: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      log.error("worker could not start", e);
      err.println("error: " + e);
      return 1;
    } finally {
      finished.complete(null);
      removeHook(hook);
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is what stopped the worker.
    }
  }

  /**
   * The queue's address, looked up again with backoff until it exists or {@code --queue-wait} runs
   * out: a VM often boots before the stack that creates its queue is complete. Empty when asked to
   * stop meanwhile.
   */
  private static Optional<String> awaitQueue(Transport transport, String name, WorkerOptions options,
      CompletableFuture<Void> stop) throws InterruptedException, QueueWaitException {
    long deadline = System.nanoTime() + options.queueWait().toNanos();
    long backoff = FIRST_QUEUE_BACKOFF.toNanos();
    while (true) {
      CompletableFuture<String> lookup = transport.resolveQueue(name);
      Throwable failure;
      try {
        CompletableFuture.anyOf(lookup, stop).get(LOOKUP_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        if (stop.isDone()) {
          return Optional.empty();
        }
        return Optional.of(lookup.get());
      } catch (ExecutionException e) {
        failure = e.getCause();
      } catch (TimeoutException e) {
        lookup.cancel(true);
        failure = new TimeoutException("no answer within " + LOOKUP_TIMEOUT);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new QueueWaitException("the queue '" + name + "' was not available within "
            + options.queueWait() + " (--queue-wait): " + failure);
      }
      long pause = Math.min(backoff, left);
      log.warn("waiting for the queue '{}' ({}); trying again in {} ms, giving up in {} s", name, failure,
          TimeUnit.NANOSECONDS.toMillis(pause), TimeUnit.NANOSECONDS.toSeconds(left));
      try {
        stop.get(pause, TimeUnit.NANOSECONDS);
        return Optional.empty();
      } catch (TimeoutException | ExecutionException e) {
        // Waited the full pause.
      }
      backoff = Math.min(backoff * 2, MAX_QUEUE_BACKOFF.toNanos());
    }
  }

  /**
   * Stops the worker when {@code in} ends. A launcher keeps the pipe to the worker's stdin open and
   * never writes to it; when the launcher dies, even by SIGKILL, the system closes its end. Chosen
   * over polling the parent's pid: it needs no polling, cannot be fooled by a reused pid or a shell
   * between the two, and works on every system.
   */
  private static void watchParent(InputStream in, CompletableFuture<Void> stop) {
    Thread watcher = new Thread(() -> {
      byte[] ignored = new byte[256];
      try {
        while (in.read(ignored) >= 0) {
          // Whatever a launcher writes means nothing; only the end does.
        }
      } catch (IOException e) {
        // A broken pipe means the same.
      }
      log.warn("standard input ended: the process that started this worker is gone; stopping");
      stop.complete(null);
    }, "shoal-worker-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  /**
   * Runs the action on SIGTERM instead of the JVM's own handling, which would exit with status 143
   * however cleanly the worker drained. Where the signal cannot be handled, the shutdown hook still
   * stops the worker cleanly, with that status.
   */
  private static void onTerminationSignal(Runnable action) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> action.run());
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
      log.debug("SIGTERM cannot be handled here ({}); a stop by SIGTERM exits 143", e.toString());
    }
  }

  /** The queue did not appear within --queue-wait. */
  private static final class QueueWaitException extends Exception {
    QueueWaitException(String message) {
      super(message);
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
