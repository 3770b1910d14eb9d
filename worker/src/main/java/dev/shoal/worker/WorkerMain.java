package dev.shoal.worker;

import dev.shoal.codec.JsonCodec;
import dev.shoal.transport.Transport;
import dev.shoal.transport.TransportProvider;
import dev.shoal.wire.EnvelopeSigner;
import dev.shoal.wire.WireCodec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a worker process:
 *
 * <pre>
 * java -cp ... dev.shoal.worker.WorkerMain --transport sqs --setting endpoint=http://localhost:9324 \
 *     --queue tasks [--slots N] [--idle-timeout PT5M|0] [--lease PT30S] [--max-deliveries 3] \
 *     [--work-dir DIR] [--worker-id ID] [--signing-key-env VAR]
 * </pre>
 *
 * Prints one line with "ready" on stdout once it polls (process launchers wait for it); logs go to
 * stderr. Exits 0 when it stops cleanly (idle, or asked to), 2 on bad arguments, 1 when it cannot
 * start.
 */
public final class WorkerMain {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

  static final String USAGE = String.join("\n",
      "usage: java -cp <class path> dev.shoal.worker.WorkerMain --transport <name> [--setting key=value]...",
      "           --queue <address-or-name> [--slots N] [--idle-timeout PT5M|0] [--lease PT30S]",
      "           [--max-deliveries 3] [--work-dir DIR] [--worker-id ID] [--signing-key-env VAR]",
      "  --transport         the transport provider to use, e.g. sqs",
      "  --setting           a transport setting (endpoint, region, ...); repeatable",
      "  --queue             the task queue: an address, or a name the transport resolves",
      "  --slots             tasks run at once (default: available processors)",
      "  --idle-timeout      stop after this long with nothing to do; 0 for never (default PT5M)",
      "  --lease             the queue's visibility timeout (default PT30S)",
      "  --receive-wait      how long one long poll waits (default PT20S)",
      "  --max-deliveries    deliveries after which a single task is dead-lettered (default 3)",
      "  --work-dir          where command tasks run (default: a temporary directory)",
      "  --worker-id         this worker's name in results (default: host-pid)",
      "  --signing-key-env   the environment variable holding the signing key (default "
          + EnvelopeSigner.KEY_ENV + ", if set)");

  private WorkerMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  /** The command line, parsed; null fields were not given. */
  record Options(String transport, Map<String, String> settings, String queue, Integer slots,
      Duration idleTimeout, Duration lease, Integer maxDeliveries, Path workDir, String workerId,
      String signingKeyEnv, Duration receiveWait, boolean help) {}

  /** A command line that cannot be run; the process exits with code 2. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    Options options;
    try {
      options = parse(args);
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (options.help()) {
      out.println(USAGE);
      return 0;
    }
    String keyVariable = options.signingKeyEnv() != null ? options.signingKeyEnv() : EnvelopeSigner.KEY_ENV;
    String key = env.get(keyVariable);
    if (options.signingKeyEnv() != null && (key == null || key.isEmpty())) {
      // Named explicitly: running without it would silently accept unsigned tasks.
      err.println("error: the signing key variable " + keyVariable + " is not set");
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
      err.println(USAGE);
      return 2;
    }

    try (Transport transport = provider.create(options.settings())) {
      String queue = transport.resolveQueue(options.queue()).get(1, TimeUnit.MINUTES);
      WorkerConfig.Builder config = WorkerConfig.builder().transport(transport).taskQueue(queue)
          .codec(codec).signer(signer);
      if (options.slots() != null) {
        config.slots(options.slots());
      }
      if (options.idleTimeout() != null) {
        config.idleTimeout(options.idleTimeout());
      }
      if (options.receiveWait() != null) {
        config.receiveWait(options.receiveWait());
      }
      if (options.lease() != null) {
        config.leaseDuration(options.lease());
      }
      if (options.maxDeliveries() != null) {
        config.maxDeliveries(options.maxDeliveries());
      }
      if (options.workDir() != null) {
        config.workDir(options.workDir());
      }
      if (options.workerId() != null) {
        config.workerId(options.workerId());
      }
      Worker worker = Worker.start(config.build());
      // SIGTERM (a scale-in, a stop) takes the same clean path as the idle timeout. The hook
      // blocks, because the JVM exits as soon as its hooks return.
      Thread hook = new Thread(() -> {
        worker.shutdown();
        worker.awaitTermination();
      }, "shoal-worker-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      out.println("worker " + worker.id() + " ready: queue " + queue + ", " + worker.config().slots() + " slots");
      out.flush();
      worker.awaitTermination();
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

  static Options parse(String[] args) throws UsageException {
    String transport = null;
    Map<String, String> settings = new LinkedHashMap<>();
    String queue = null;
    Integer slots = null;
    Duration idleTimeout = null;
    Duration lease = null;
    Duration receiveWait = null;
    Integer maxDeliveries = null;
    Path workDir = null;
    String workerId = null;
    String signingKeyEnv = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        value = arg.substring(equals + 1);
        arg = arg.substring(0, equals);
      }
      if (arg.equals("--help") || arg.equals("-h")) {
        return new Options(null, Map.of(), null, null, null, null, null, null, null, null, null, true);
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException(arg + " needs a value");
        }
        value = args[++i];
      }
      // A later occurrence wins, so that a launcher can append its own --worker-id.
      switch (arg) {
        case "--transport" -> transport = nonBlank(arg, value);
        case "--setting" -> {
          int at = value.indexOf('=');
          if (at <= 0) {
            throw new UsageException("--setting takes key=value, got '" + value + "'");
          }
          settings.put(value.substring(0, at), value.substring(at + 1));
        }
        case "--queue" -> queue = nonBlank(arg, value);
        case "--slots" -> slots = positiveInt(arg, value);
        case "--idle-timeout" -> idleTimeout = duration(arg, value, true);
        case "--lease" -> lease = duration(arg, value, false);
        case "--receive-wait" -> receiveWait = duration(arg, value, false);
        case "--max-deliveries" -> maxDeliveries = positiveInt(arg, value);
        case "--work-dir" -> workDir = Path.of(nonBlank(arg, value));
        case "--worker-id" -> workerId = nonBlank(arg, value);
        case "--signing-key-env" -> signingKeyEnv = nonBlank(arg, value);
        default -> throw new UsageException("unknown option " + arg);
      }
    }
    if (transport == null) {
      throw new UsageException("--transport is required");
    }
    if (queue == null) {
      throw new UsageException("--queue is required");
    }
    return new Options(transport, Map.copyOf(settings), queue, slots, idleTimeout, lease, maxDeliveries, workDir,
        workerId, signingKeyEnv, receiveWait, false);
  }

  private static String nonBlank(String option, String value) throws UsageException {
    if (value.isBlank()) {
      throw new UsageException(option + " must not be empty");
    }
    return value;
  }

  private static int positiveInt(String option, String value) throws UsageException {
    try {
      int number = Integer.parseInt(value);
      if (number >= 1) {
        return number;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new UsageException(option + " takes a whole number >= 1, got '" + value + "'");
  }

  /** An ISO-8601 duration such as PT30S; "0" (where allowed) means never. */
  private static Duration duration(String option, String value, boolean zeroAllowed) throws UsageException {
    Duration duration;
    try {
      duration = value.equals("0") ? Duration.ZERO : Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw new UsageException(option + " takes an ISO-8601 duration such as PT30S, got '" + value + "'");
    }
    if (duration.isNegative() || (duration.isZero() && !zeroAllowed)) {
      throw new UsageException(option + " must be " + (zeroAllowed ? "zero or positive" : "positive")
          + ", got '" + value + "'");
    }
    return duration;
  }
}
