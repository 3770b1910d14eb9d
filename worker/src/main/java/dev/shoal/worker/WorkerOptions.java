package dev.shoal.worker;

import dev.shoal.internal.wire.EnvelopeSigner;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The command line of a worker process ({@link WorkerMain}): a launcher renders it with
 * {@link #arguments()}, the worker reads it back with {@link #parse(String...)}, so the two cannot
 * disagree. Create one with {@link #of(String, Map, String)} and the {@code with...} methods.
 *
 * <p>The fields left null are decided where the worker runs, which may be another machine than
 * the launcher's: its processor count, its host name, its temporary directory.
 *
 * @param transport the transport provider's name, such as "sqs" (see {@link dev.shoal.spi.TransportProvider})
 * @param transportSettings the provider's settings (endpoint, region, ...); no secrets belong here
 * @param queue the task queue: an address, or a name the transport resolves
 * @param slots tasks a worker runs at once; null: one per processor of the worker's machine
 * @param idleTimeout the worker stops after this long with nothing received and nothing held;
 *     zero for never (null is taken as zero)
 * @param lease the task queue's visibility timeout, which the worker renews while it works
 * @param receiveWait how long one long poll waits
 * @param maxDeliveries deliveries of a single task after which it is treated as poison and dead-lettered
 * @param workDir where command tasks get their directories; null: a fresh temporary directory
 * @param workerId the worker's name in results; null: its host name and process id
 * @param signingKeyEnv the environment variable holding the key that checks envelopes; null:
 *     {@value EnvelopeSigner#KEY_ENV} when it is set, otherwise unsigned envelopes are accepted
 * @param queueWait how long a starting worker waits for its queue to exist (and its service to
 *     answer), trying again with backoff, before it gives up; zero: it gives up at once (null is
 *     taken as zero). A VM often boots before the stack that makes its queue is complete.
 * @param unreachableTimeout a running worker gives up (and exits non-zero) once every poll of its
 *     queue has failed for this long, instead of retrying a service that is gone for ever
 * @param exitWithParent the worker stops when its standard input ends: a launcher keeps the pipe
 *     open while it lives, and the system closes it when the launcher dies, even by SIGKILL
 * @param payloadStore where the worker puts a result too large for the reply queue (a payload
 *     store's root, such as {@code s3://bucket/prefix}, opened by its scheme's
 *     {@link dev.shoal.spi.PayloadStoreProvider} with the transport settings), for a client that
 *     takes results by reference; null: such a result fails its task as too large. Arguments that
 *     came by reference are fetched whatever this is.
 * @param vmQueue a second task queue the worker serves beside {@code queue}: the pool's tasks that
 *     only VM workers take (apps that cannot run in a burst function), an address or a name; null
 *     for none. Each message is settled on the queue it came from.
 */
public record WorkerOptions(String transport, Map<String, String> transportSettings, String queue, Integer slots,
    Duration idleTimeout, Duration lease, Duration receiveWait, int maxDeliveries, Path workDir, String workerId,
    String signingKeyEnv, Duration queueWait, Duration unreachableTimeout, boolean exitWithParent, URI payloadStore,
    String vmQueue) {

  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
  /** SQS's longest long poll. */
  public static final Duration DEFAULT_RECEIVE_WAIT = Duration.ofSeconds(20);
  public static final int DEFAULT_MAX_DELIVERIES = 3;
  public static final Duration DEFAULT_QUEUE_WAIT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_UNREACHABLE_TIMEOUT = Duration.ofMinutes(15);

  /** The class a launcher runs with {@link #arguments()}. */
  public static final String MAIN_CLASS = WorkerMain.class.getName();

  /**
   * The worker's usage text, every option and the exit statuses, for a command line that starts
   * with {@code command} ({@code shoal worker} shows the same text as {@code WorkerMain --help}).
   */
  public static String usage(String command) {
    String indent = " ".repeat("usage: ".length() + command.length() + 1);
    return String.join("\n",
        "usage: " + command + " --transport <name> [--setting key=value]...",
        indent + "--queue <address-or-name> [--slots N] [--idle-timeout PT5M|0] [--lease PT30S]",
        indent + "[--receive-wait PT20S] [--max-deliveries 3] [--work-dir DIR] [--worker-id ID]",
        indent + "[--signing-key-env VAR] [--queue-wait PT10M|0] [--unreachable-timeout PT15M]",
        indent + "[--exit-with-parent] [--payload-store URI] [--vm-queue <address-or-name>]",
        OPTIONS_HELP);
  }

  /** The options and exit statuses of {@link #usage(String)}, without its synopsis. */
  public static final String OPTIONS_HELP = String.join("\n",
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
          + EnvelopeSigner.KEY_ENV + ", if set)",
      "  --queue-wait        how long to wait at start for the queue to exist, trying again with",
      "                      backoff; 0 to give up at once (default PT10M)",
      "  --unreachable-timeout  give up once every poll of the queue has failed this long (default PT15M)",
      "  --exit-with-parent  stop when standard input ends: the process that started the worker is gone",
      "  --payload-store     where results too large for the reply queue go, e.g. s3://bucket/prefix",
      "                      (default: none; such a result fails its task)",
      "  --vm-queue          a second task queue served beside --queue: the pool's tasks that only VM",
      "                      workers take (apps that cannot run in a burst function)",
      "exit status: 0 stopped cleanly (idle, SIGTERM, or --exit-with-parent), 1 could not start (its",
      "  queue did not appear within --queue-wait, say) or failed, 2 bad arguments, 3 gave up after",
      "  --unreachable-timeout");

  // After OPTIONS_HELP, which it includes: static fields are initialized in order.
  static final String USAGE = usage("java -cp <class path> " + MAIN_CLASS);

  public WorkerOptions {
    requireNonBlank(transport, "transport");
    transportSettings = Map.copyOf(transportSettings);
    for (String key : transportSettings.keySet()) {
      // A key with '=' would be split differently when the command line is read back.
      if (key.isEmpty() || key.indexOf('=') >= 0) {
        throw new IllegalArgumentException("a transport setting's key must be non-empty and without '=': '"
            + key + "'");
      }
    }
    requireNonBlank(queue, "queue");
    if (slots != null && slots < 1) {
      throw new IllegalArgumentException("slots must be >= 1: " + slots);
    }
    idleTimeout = idleTimeout == null ? Duration.ZERO : idleTimeout;
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idleTimeout must not be negative: " + idleTimeout);
    }
    requirePositive(lease, "lease");
    requirePositive(receiveWait, "receiveWait");
    if (maxDeliveries < 1) {
      throw new IllegalArgumentException("maxDeliveries must be >= 1: " + maxDeliveries);
    }
    if (workerId != null) {
      requireNonBlank(workerId, "workerId");
    }
    if (signingKeyEnv != null) {
      requireNonBlank(signingKeyEnv, "signingKeyEnv");
    }
    queueWait = queueWait == null ? Duration.ZERO : queueWait;
    if (queueWait.isNegative()) {
      throw new IllegalArgumentException("queueWait must not be negative: " + queueWait);
    }
    requirePositive(unreachableTimeout, "unreachableTimeout");
    if (vmQueue != null) {
      requireNonBlank(vmQueue, "vmQueue");
      if (vmQueue.equals(queue)) {
        throw new IllegalArgumentException("vmQueue must be another queue than queue: " + vmQueue);
      }
    }
    if (payloadStore != null && payloadStore.getScheme() == null) {
      throw new IllegalArgumentException("payloadStore must be a URI with a scheme, such as s3://bucket/prefix: "
          + payloadStore);
    }
  }

  /** Options without a payload store, as before claim checks. */
  public WorkerOptions(String transport, Map<String, String> transportSettings, String queue, Integer slots,
      Duration idleTimeout, Duration lease, Duration receiveWait, int maxDeliveries, Path workDir, String workerId,
      String signingKeyEnv, Duration queueWait, Duration unreachableTimeout, boolean exitWithParent) {
    this(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait, maxDeliveries, workDir,
        workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, null, null);
  }

  /** A worker on this transport and queue, with every other option at its default. */
  public static WorkerOptions of(String transport, Map<String, String> transportSettings, String queue) {
    return new WorkerOptions(transport, transportSettings, queue, null, DEFAULT_IDLE_TIMEOUT, DEFAULT_LEASE,
        DEFAULT_RECEIVE_WAIT, DEFAULT_MAX_DELIVERIES, null, null, null, DEFAULT_QUEUE_WAIT,
        DEFAULT_UNREACHABLE_TIMEOUT, false, null, null);
  }

  public WorkerOptions withQueue(String queue) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  /** Tasks run at once; null: one per processor of the worker's machine. */
  public WorkerOptions withSlots(Integer slots) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  /** Stop after this long with nothing received and nothing held; zero (or null) for never. */
  public WorkerOptions withIdleTimeout(Duration idleTimeout) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  public WorkerOptions withLease(Duration lease) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  public WorkerOptions withReceiveWait(Duration receiveWait) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  public WorkerOptions withMaxDeliveries(int maxDeliveries) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  public WorkerOptions withWorkDir(Path workDir) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  public WorkerOptions withWorkerId(String workerId) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  public WorkerOptions withSigningKeyEnv(String signingKeyEnv) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  /** How long a starting worker waits for its queue; zero (or null): it gives up at once. */
  public WorkerOptions withQueueWait(Duration queueWait) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  /** How long every poll may fail before a running worker gives up. */
  public WorkerOptions withUnreachableTimeout(Duration unreachableTimeout) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  /** Whether the worker stops when its standard input ends (its launcher is gone). */
  public WorkerOptions withExitWithParent(boolean exitWithParent) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  /** A second task queue served beside the first (the pool's VM-only tasks); null for none. */
  public WorkerOptions withVmQueue(String vmQueue) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  /** Every task queue the worker serves: {@link #queue()}, then {@link #vmQueue()} if there is one. */
  public List<String> queues() {
    return vmQueue == null ? List.of(queue) : List.of(queue, vmQueue);
  }

  /** Where results too large for the reply queue go; null: they fail their task as too large. */
  public WorkerOptions withPayloadStore(URI payloadStore) {
    return new WorkerOptions(transport, transportSettings, queue, slots, idleTimeout, lease, receiveWait,
        maxDeliveries, workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  /**
   * This worker as a line of a POSIX shell script, as a cloud VM's boot script runs it: {@code java
   * -cp '<jar>' <main class> '<argument>'... --worker-id "$<variable>"}, every argument quoted, the
   * worker's id read from a shell variable the script set (the VM's own name or id).
   */
  public String shellCommand(String jar, String workerIdVariable) {
    if (!workerIdVariable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("not a shell variable name: " + workerIdVariable);
    }
    StringBuilder command = new StringBuilder("java -cp ").append(shellQuote(jar)).append(' ').append(MAIN_CLASS);
    for (String argument : arguments()) {
      command.append(' ').append(shellQuote(argument));
    }
    return command.append(" --worker-id \"$").append(workerIdVariable).append('"').toString();
  }

  /** A word for a POSIX shell, single-quoted (a quote inside becomes {@code '\''}). */
  public static String shellQuote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /**
   * The worker's command-line arguments (after {@link #MAIN_CLASS}). Defaults are written out, so
   * that a worker of another version runs with what its launcher meant.
   */
  public List<String> arguments() {
    List<String> args = new ArrayList<>(List.of("--transport", transport, "--queue", queue));
    if (slots != null) {
      args.addAll(List.of("--slots", slots.toString()));
    }
    args.addAll(List.of("--lease", lease.toString(), "--max-deliveries", Integer.toString(maxDeliveries),
        "--receive-wait", receiveWait.toString(),
        "--idle-timeout", idleTimeout.isZero() ? "0" : idleTimeout.toString(),
        "--queue-wait", queueWait.isZero() ? "0" : queueWait.toString(),
        "--unreachable-timeout", unreachableTimeout.toString()));
    // Sorted, so that the same options always render the same line.
    new TreeMap<>(transportSettings).forEach((key, value) -> args.addAll(List.of("--setting", key + "=" + value)));
    if (workDir != null) {
      args.addAll(List.of("--work-dir", workDir.toString()));
    }
    if (workerId != null) {
      args.addAll(List.of("--worker-id", workerId));
    }
    if (signingKeyEnv != null) {
      args.addAll(List.of("--signing-key-env", signingKeyEnv));
    }
    if (exitWithParent) {
      args.add("--exit-with-parent");
    }
    if (payloadStore != null) {
      args.addAll(List.of("--payload-store", payloadStore.toString()));
    }
    if (vmQueue != null) {
      args.addAll(List.of("--vm-queue", vmQueue));
    }
    return List.copyOf(args);
  }

  /**
   * Reads a worker's command line. Options take their value as the next argument or after '='
   * ({@code --slots=4}), except {@code --exit-with-parent}, a flag; when an option is given twice the later one wins (so a launcher may append
   * its own {@code --worker-id}), and {@code --setting} accumulates.
   *
   * @throws IllegalArgumentException naming the offending argument, when the command line is not
   *     one a worker can run with
   */
  public static WorkerOptions parse(String... args) {
    String transport = null;
    Map<String, String> settings = new LinkedHashMap<>();
    String queue = null;
    Integer slots = null;
    Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    Duration lease = DEFAULT_LEASE;
    Duration receiveWait = DEFAULT_RECEIVE_WAIT;
    int maxDeliveries = DEFAULT_MAX_DELIVERIES;
    Path workDir = null;
    String workerId = null;
    String signingKeyEnv = null;
    Duration queueWait = DEFAULT_QUEUE_WAIT;
    Duration unreachableTimeout = DEFAULT_UNREACHABLE_TIMEOUT;
    boolean exitWithParent = false;
    URI payloadStore = null;
    String vmQueue = null;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      String value = null;
      int equals = option.indexOf('=');
      if (option.startsWith("--") && equals > 0) {
        value = option.substring(equals + 1);
        option = option.substring(0, equals);
      }
      if (!option.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + option + "'");
      }
      if (option.equals("--exit-with-parent")) {
        if (value != null) {
          throw new IllegalArgumentException("--exit-with-parent takes no value");
        }
        exitWithParent = true;
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(option + " needs a value");
        }
        value = args[++i];
      }
      switch (option) {
        case "--transport" -> transport = nonBlank(option, value);
        case "--setting" -> {
          int at = value.indexOf('=');
          if (at <= 0) {
            throw new IllegalArgumentException("--setting takes key=value, got '" + value + "'");
          }
          settings.put(value.substring(0, at), value.substring(at + 1));
        }
        case "--queue" -> queue = nonBlank(option, value);
        case "--slots" -> slots = positiveInt(option, value);
        case "--idle-timeout" -> idleTimeout = duration(option, value, true);
        case "--lease" -> lease = duration(option, value, false);
        case "--receive-wait" -> receiveWait = duration(option, value, false);
        case "--max-deliveries" -> maxDeliveries = positiveInt(option, value);
        case "--work-dir" -> workDir = Path.of(nonBlank(option, value));
        case "--worker-id" -> workerId = nonBlank(option, value);
        case "--signing-key-env" -> signingKeyEnv = nonBlank(option, value);
        case "--queue-wait" -> queueWait = duration(option, value, true);
        case "--unreachable-timeout" -> unreachableTimeout = duration(option, value, false);
        case "--payload-store" -> payloadStore = storeRoot(option, value);
        case "--vm-queue" -> vmQueue = nonBlank(option, value);
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    if (transport == null) {
      throw new IllegalArgumentException("--transport is required");
    }
    if (queue == null) {
      throw new IllegalArgumentException("--queue is required");
    }
    return new WorkerOptions(transport, settings, queue, slots, idleTimeout, lease, receiveWait, maxDeliveries,
        workDir, workerId, signingKeyEnv, queueWait, unreachableTimeout, exitWithParent, payloadStore, vmQueue);
  }

  private static URI storeRoot(String option, String value) {
    try {
      URI uri = new URI(nonBlank(option, value));
      if (uri.getScheme() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(option + " takes a URI with a scheme, such as s3://bucket/prefix, got '"
        + value + "'");
  }

  private static String nonBlank(String option, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(option + " must not be empty");
    }
    return value;
  }

  private static int positiveInt(String option, String value) {
    try {
      int number = Integer.parseInt(value);
      if (number >= 1) {
        return number;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(option + " takes a whole number >= 1, got '" + value + "'");
  }

  /** An ISO-8601 duration such as PT30S; "0" (where allowed) means never. */
  private static Duration duration(String option, String value, boolean zeroAllowed) {
    Duration duration;
    try {
      duration = value.equals("0") ? Duration.ZERO : Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " takes an ISO-8601 duration such as PT30S, got '" + value + "'");
    }
    if (duration.isNegative() || (duration.isZero() && !zeroAllowed)) {
      throw new IllegalArgumentException(option + " must be " + (zeroAllowed ? "zero or positive" : "positive")
          + ", got '" + value + "'");
    }
    return duration;
  }

  private static void requireNonBlank(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
