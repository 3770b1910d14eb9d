package dev.shoal.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.shoal.app.AppDefinition;
import dev.shoal.app.Builtins;
import dev.shoal.codec.EncodingException;
import dev.shoal.codec.JsonCodec;
import dev.shoal.command.Command;
import dev.shoal.compute.ComputeProvider;
import dev.shoal.transport.QueueOptions;
import dev.shoal.transport.ReceivedMessage;
import dev.shoal.transport.Transport;
import dev.shoal.transport.TransportException;
import dev.shoal.wire.Decoded;
import dev.shoal.wire.EnvelopeSigner;
import dev.shoal.wire.InvalidEnvelopeException;
import dev.shoal.wire.ResultEnvelope;
import dev.shoal.wire.TaskEnvelope;
import dev.shoal.wire.WireCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs apps on workers behind a message queue: publishes each ready task to the task queue (many
 * tasks to a message when there are many), and consumes results from a reply queue of its own run.
 * Delivery is at least once: the first result per task attempt wins and duplicates are dropped.
 * Arguments and results cross as JSON, so an argument that cannot be encoded fails its task at once.
 */
public final class QueueExecutor implements TaskExecutor {
  private static final Logger log = LoggerFactory.getLogger(QueueExecutor.class);
  /**
   * A long poll on the reply queue returns as soon as a result arrives, so its length does not
   * affect latency; it is short because an HTTP client cannot close while a poll is open, and a
   * 20 s poll would hold up every close by as much.
   */
  private static final Duration REPLY_WAIT = Duration.ofSeconds(2);
  /** Room in a message for the bundle's frame around the envelopes. */
  private static final int FRAME_BYTES = 64;

  private final String label;
  private final Transport transport;
  private final String taskQueueName;
  private final QueueOptions taskQueueOptions;
  private final int maxTasksPerMessage;
  private final int maxSendsInFlight;
  private final Duration taskTimeout;
  private final Duration publishRetryTimeout;
  private final Duration replyQueueExpiry;
  private final EnvelopeSigner.Factory signerFactory;
  private final ComputeProvider workers;
  private final int initialWorkers;
  private final boolean closeTransport;
  private final List<AutoCloseable> closeAfter;
  private final java.util.function.IntConsumer publishListener;
  private final Runnable startListener;

  private final ConcurrentHashMap<Long, InFlight> inFlight = new ConcurrentHashMap<>();
  private final BlockingQueue<Outgoing> outbox = new LinkedBlockingQueue<>();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder messagesSent = new LongAdder();
  private final LongAdder tasksSent = new LongAdder();
  private final Semaphore sendPermits;

  private RunContext context;
  private JsonCodec json;
  private WireCodec wire;
  private EnvelopeSigner signer;
  private String taskQueue;
  private String replyQueue;
  private int maxEnvelopeBytes;
  private Thread publisher;
  private Thread replyConsumer;
  private ScheduledExecutorService timer;
  private volatile CompletableFuture<List<ReceivedMessage>> pendingReceive;
  private volatile boolean running;

  private QueueExecutor(Builder builder) {
    this.label = builder.label;
    this.transport = Objects.requireNonNull(builder.transport, "a queue executor needs a transport");
    this.taskQueueName = builder.taskQueue;
    this.taskQueueOptions = builder.taskQueueOptions;
    this.maxTasksPerMessage = builder.maxTasksPerMessage;
    this.maxSendsInFlight = builder.maxSendsInFlight;
    this.taskTimeout = builder.taskTimeout;
    this.publishRetryTimeout = builder.publishRetryTimeout;
    this.replyQueueExpiry = builder.replyQueueExpiry;
    this.signerFactory = builder.signerFactory;
    this.workers = builder.workers;
    this.initialWorkers = builder.initialWorkers;
    this.closeTransport = builder.closeTransport;
    this.closeAfter = List.copyOf(builder.closeAfter);
    this.publishListener = builder.publishListener;
    this.startListener = builder.startListener;
    this.sendPermits = new Semaphore(maxSendsInFlight);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String label() {
    return label;
  }

  /** The address of the task queue, once started. */
  public String taskQueue() {
    return taskQueue;
  }

  /** The address of this run's reply queue, once started. */
  public String replyQueue() {
    return replyQueue;
  }

  /** Results dropped because a result for the same task attempt had already arrived. */
  public long duplicatesDropped() {
    return duplicates.sum();
  }

  /** Queue messages and tasks published so far (their ratio is the bundling achieved). */
  public long messagesSent() {
    return messagesSent.sum();
  }

  public long tasksSent() {
    return tasksSent.sum();
  }

  @Override
  public synchronized void start(RunContext context) {
    if (running) {
      throw new IllegalStateException("executor " + label + " was already started");
    }
    this.context = context;
    this.json = context.codec();
    this.wire = new WireCodec(json);
    this.signer = signerFactory != null ? signerFactory.create(wire) : null;
    this.maxEnvelopeBytes = transport.maxMessageBytes() - FRAME_BYTES;
    this.taskQueue = taskQueueName.contains("://") ? taskQueueName
        : transport.createQueue(taskQueueName, taskQueueOptions).join();
    String replyName = "shoal-reply-" + context.runId();
    this.replyQueue = transport.createQueue(replyName, QueueOptions.defaults()
        .withVisibilityTimeout(Duration.ofSeconds(30))
        .withRetention(replyQueueExpiry)
        .withTags(Map.of("shoal:run", context.runId(), "shoal:role", "reply",
            "shoal:expires", Instant.now().plus(replyQueueExpiry).toString()))).join();
    running = true;
    publisher = daemon("shoal-" + label + "-publisher", this::publishLoop);
    replyConsumer = daemon("shoal-" + label + "-replies", this::replyLoop);
    timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "shoal-" + label + "-timer");
      thread.setDaemon(true);
      return thread;
    });
    if (taskTimeout != null) {
      long period = Math.max(10, Math.min(1000, taskTimeout.toMillis() / 10));
      timer.scheduleWithFixedDelay(this::expireOverdue, period, period, TimeUnit.MILLISECONDS);
    }
    if (workers != null && initialWorkers > 0) {
      workers.launch(initialWorkers);
    }
    log.info("executor {}: tasks to {}, results from {}", label, taskQueue, replyQueue);
    if (startListener != null) {
      startListener.run();
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Override
  public void submit(Invocation invocation) {
    Outgoing outgoing;
    try {
      outgoing = encode(invocation);
    } catch (RuntimeException e) {
      invocation.failed(e);
      return;
    }
    InFlight entry = new InFlight(invocation, invocation.attempt(),
        taskTimeout == null ? Long.MAX_VALUE : System.nanoTime() + taskTimeout.toNanos());
    inFlight.put(invocation.taskId(), entry);
    outbox.add(outgoing);
  }

  private Outgoing encode(Invocation invocation) {
    AppDefinition app = invocation.app();
    Object[] args = invocation.args();
    String appName = app.name();
    ArrayNode encoded = json.mapper().createArrayNode();
    if (app.kind() == AppDefinition.Kind.COMMAND) {
      // The command line is built here, so the worker needs none of the user's code.
      Command command;
      try {
        Object built = app.invoke(args);
        command = (Command) built;
      } catch (Exception e) {
        throw new IllegalArgumentException("command app " + appName + " could not build its command: " + e, e);
      }
      if (command.walltime() == null && app.walltime().isPresent()) {
        command = command.withWalltime(app.walltime().get());
      }
      encoded.add(json.toTree(command));
      appName = Builtins.COMMAND;
    } else {
      for (int i = 0; i < args.length; i++) {
        try {
          encoded.add(json.toTree(args[i]));
        } catch (EncodingException e) {
          throw new EncodingException("argument " + (i + 1) + " of app " + appName + " (task " + invocation.taskId()
              + ") cannot be sent to a remote worker: " + e.getMessage(), e);
        }
      }
    }
    Instant deadline = taskTimeout == null ? null : Instant.now().plus(taskTimeout);
    TaskEnvelope envelope = new TaskEnvelope(WireCodec.VERSION, invocation.taskId(), context.runId(), appName,
        encoded, invocation.attempt(), replyQueue, deadline, null);
    if (signer != null) {
      envelope = signer.sign(envelope);
    }
    byte[] bytes = wire.envelopeBytes(envelope);
    if (bytes.length > maxEnvelopeBytes) {
      throw new PayloadTooLargeException(invocation.taskId(), app.name(), bytes.length, maxEnvelopeBytes);
    }
    return new Outgoing(invocation.taskId(), invocation.attempt(), bytes);
  }

  // Adaptive bundling: whatever piled up while the previous sends were in flight goes out together;
  // a lone task on an idle executor goes out at once.
  private void publishLoop() {
    List<Outgoing> drained = new ArrayList<>();
    while (running || !outbox.isEmpty()) {
      try {
        Outgoing first = outbox.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        sendPermits.acquire();
        drained.add(first);
        outbox.drainTo(drained, maxTasksPerMessage * 10 - 1);
        List<List<Outgoing>> bundles = pack(drained);
        drained = new ArrayList<>();
        publish(bundles, System.nanoTime(), Duration.ofMillis(50));
      } catch (InterruptedException e) {
        if (!running) {
          return;
        }
      }
    }
  }

  private List<List<Outgoing>> pack(List<Outgoing> tasks) {
    List<List<Outgoing>> bundles = new ArrayList<>();
    List<Outgoing> current = new ArrayList<>();
    int bytes = 0;
    for (Outgoing task : tasks) {
      if (!current.isEmpty() && (current.size() >= maxTasksPerMessage
          || WireCodec.bundleSize(bytes + task.bytes.length, current.size() + 1) > transport.maxMessageBytes())) {
        bundles.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(task);
      bytes += task.bytes.length;
    }
    if (!current.isEmpty()) {
      bundles.add(current);
    }
    return bundles;
  }

  /** Sends bundles; holds one send permit, released when the send settles. */
  private void publish(List<List<Outgoing>> bundles, long firstTry, Duration backoff) {
    List<byte[]> bodies = new ArrayList<>(bundles.size());
    int tasks = 0;
    for (List<Outgoing> bundle : bundles) {
      List<byte[]> envelopes = new ArrayList<>(bundle.size());
      bundle.forEach(task -> envelopes.add(task.bytes));
      bodies.add(wire.taskBundle(envelopes));
      tasks += bundle.size();
    }
    int taskCount = tasks;
    transport.send(taskQueue, bodies).whenComplete((ok, error) -> {
      if (error == null) {
        messagesSent.add(bodies.size());
        tasksSent.add(taskCount);
        sendPermits.release();
        if (publishListener != null) {
          publishListener.accept(taskCount);
        }
        return;
      }
      Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
      boolean giveUp = !running || System.nanoTime() - firstTry > publishRetryTimeout.toNanos();
      if (giveUp) {
        sendPermits.release();
        for (List<Outgoing> bundle : bundles) {
          for (Outgoing task : bundle) {
            fail(task.taskId, task.attempt, new TransportException("could not publish task " + task.taskId
                + " to " + taskQueue + " within " + publishRetryTimeout + ": " + cause.getMessage(), cause, false));
          }
        }
        return;
      }
      // The queue may be briefly gone or throttled: keep the tasks and try again.
      log.warn("executor {}: publishing {} tasks failed, retrying in {}: {}", label, taskCount, backoff,
          cause.toString());
      Duration next = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5)
          : backoff.multipliedBy(2);
      timer.schedule(() -> publish(bundles, firstTry, next), backoff.toMillis(), TimeUnit.MILLISECONDS);
    });
  }

  private void replyLoop() {
    while (running) {
      CompletableFuture<List<ReceivedMessage>> receive = transport.receive(replyQueue, 10, REPLY_WAIT);
      pendingReceive = receive;
      List<ReceivedMessage> messages;
      try {
        messages = receive.join();
      } catch (CancellationException e) {
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        log.warn("executor {}: receiving results from {} failed, retrying: {}", label, replyQueue, e.toString());
        sleepQuietly(Duration.ofMillis(200));
        continue;
      }
      if (messages.isEmpty()) {
        continue;
      }
      for (ReceivedMessage message : messages) {
        handleReply(message);
      }
      transport.ack(replyQueue, messages).exceptionally(error -> {
        // Not fatal: the messages come back and their results are dropped as duplicates.
        log.warn("executor {}: acknowledging {} result messages failed: {}", label, messages.size(), error.toString());
        return null;
      });
    }
  }

  private void handleReply(ReceivedMessage message) {
    Decoded<ResultEnvelope> decoded;
    try {
      decoded = wire.decodeResults(message.body(), transport.maxMessageBytes());
    } catch (InvalidEnvelopeException e) {
      log.warn("executor {}: dropping an unreadable message on reply queue {}: {}", label, replyQueue, e.getMessage());
      return;
    }
    for (Decoded.Rejected rejected : decoded.rejected()) {
      log.warn("executor {}: dropping an invalid result (task {}): {}", label, rejected.id(), rejected.reason());
    }
    for (ResultEnvelope result : decoded.envelopes()) {
      complete(result);
    }
  }

  private void complete(ResultEnvelope result) {
    if (!context.runId().equals(result.run())) {
      log.warn("executor {}: dropping a result of another run ({}) for task {}", label, result.run(), result.id());
      return;
    }
    InFlight entry = inFlight.get(result.id());
    // First result per attempt wins; late results of an earlier attempt are stale.
    if (entry == null || entry.attempt != result.attempt() || !inFlight.remove(result.id(), entry)) {
      duplicates.increment();
      return;
    }
    Invocation invocation = entry.invocation;
    if (!invocation.started()) {
      return; // cancelled while it was out
    }
    switch (result.status()) {
      case OK -> {
        Object value;
        try {
          value = json.decode(result.value() == null ? json.mapper().nullNode() : result.value(),
              invocation.app().resultType());
        } catch (EncodingException e) {
          invocation.failed(new EncodingException("the result of task " + result.id() + " (" + invocation.app().name()
              + ") from worker " + result.worker() + " does not decode: " + e.getMessage(), e));
          return;
        }
        invocation.succeeded(value);
      }
      case APP_ERROR -> invocation.failed(new RemoteAppException(result.id(), invocation.app().name(),
          result.worker(), result.error()));
      case WORKER_ERROR -> invocation.failed(new WorkerFailureException(result.id(), invocation.app().name(),
          result.worker(), result.error().message()));
    }
  }

  private void expireOverdue() {
    long now = System.nanoTime();
    inFlight.forEach((id, entry) -> {
      if (entry.deadlineNanos - now < 0 && inFlight.remove(id, entry)) {
        if (entry.invocation.started()) {
          entry.invocation.failed(new TaskTimeoutException(id, entry.invocation.app().name(), taskTimeout));
        }
      }
    });
  }

  private void fail(long taskId, int attempt, Throwable error) {
    InFlight entry = inFlight.get(taskId);
    if (entry != null && entry.attempt == attempt && inFlight.remove(taskId, entry)) {
      entry.invocation.failed(error);
    }
  }

  @Override
  public void shutdown(boolean cancel) {
    if (cancel) {
      outbox.clear();
      inFlight.forEach((id, entry) -> {
        if (inFlight.remove(id, entry)) {
          entry.invocation.failed(new CancellationException("executor " + label + " was shut down before task "
              + id + " returned"));
        }
      });
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
    }
    joinQuietly(publisher);
    CompletableFuture<List<ReceivedMessage>> receive = pendingReceive;
    if (receive != null) {
      receive.cancel(true);
    }
    joinQuietly(replyConsumer);
    timer.shutdownNow();
    if (workers != null) {
      workers.close();
    }
    shutdown(true);
    try {
      transport.deleteQueue(replyQueue).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("executor {}: could not delete reply queue {} (it expires by itself): {}", label, replyQueue, e.toString());
    }
    log.info("executor {}: sent {} tasks in {} messages; dropped {} duplicate results", label, tasksSent.sum(),
        messagesSent.sum(), duplicates.sum());
    if (closeTransport) {
      transport.close();
    }
    for (AutoCloseable resource : closeAfter) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("executor {}: closing {} failed: {}", label, resource, e.toString());
      }
    }
  }

  private static void joinQuietly(Thread thread) {
    if (thread == null) {
      return;
    }
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepQuietly(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "QueueExecutor[" + label + ", " + (taskQueue != null ? taskQueue : taskQueueName) + "]";
  }

  private record Outgoing(long taskId, int attempt, byte[] bytes) {}

  private record InFlight(Invocation invocation, int attempt, long deadlineNanos) {}

  /** Configuration of a queue executor. */
  public static final class Builder {
    private String label = "queue";
    private Transport transport;
    private String taskQueue = "shoal-tasks";
    private QueueOptions taskQueueOptions = QueueOptions.defaults().withMaxReceiveCount(5);
    private int maxTasksPerMessage = 256;
    private int maxSendsInFlight = 4;
    private Duration taskTimeout;
    private Duration publishRetryTimeout = Duration.ofMinutes(2);
    private Duration replyQueueExpiry = Duration.ofDays(1);
    private EnvelopeSigner.Factory signerFactory;
    private ComputeProvider workers;
    private int initialWorkers;
    private boolean closeTransport;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private java.util.function.IntConsumer publishListener;
    private Runnable startListener;

    private Builder() {}

    public Builder label(String label) {
      this.label = Objects.requireNonNull(label, "label");
      return this;
    }

    /** The queue service; see {@link #closeTransport(boolean)} for who closes it. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** The task queue: a name (created if missing, with {@link #taskQueueOptions}) or an address. */
    public Builder taskQueue(String nameOrAddress) {
      this.taskQueue = Objects.requireNonNull(nameOrAddress, "nameOrAddress");
      return this;
    }

    /** Visibility timeout, dead-letter redrive and tags for a task queue this executor creates. */
    public Builder taskQueueOptions(QueueOptions options) {
      this.taskQueueOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /** The most tasks bundled into one queue message (default 256); 1 turns bundling off. */
    public Builder maxTasksPerMessage(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxTasksPerMessage must be >= 1: " + max);
      }
      this.maxTasksPerMessage = max;
      return this;
    }

    /** Send requests in flight at once (default 4); tasks ready meanwhile fill the next bundles. */
    public Builder maxSendsInFlight(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxSendsInFlight must be >= 1: " + max);
      }
      this.maxSendsInFlight = max;
      return this;
    }

    /** Fail a task whose result has not come back this long after it was published (default: never). */
    public Builder taskTimeout(Duration timeout) {
      this.taskTimeout = timeout;
      return this;
    }

    /** How long to keep retrying to publish while the queue is unreachable (default 2 minutes). */
    public Builder publishRetryTimeout(Duration timeout) {
      this.publishRetryTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Sign every envelope with this key; workers holding the key reject anything else. */
    public Builder signingKey(byte[] key) {
      byte[] copy = key.clone();
      this.signerFactory = codec -> new EnvelopeSigner(copy, codec);
      return this;
    }

    /** Workers to start with the executor and stop when it closes. */
    public Builder workers(ComputeProvider provider, int count) {
      this.workers = Objects.requireNonNull(provider, "provider");
      this.initialWorkers = count;
      return this;
    }

    /** Close the transport when the executor closes (default false: the caller owns it). */
    public Builder closeTransport(boolean close) {
      this.closeTransport = close;
      return this;
    }

    /**
     * Told the number of tasks each time some were published, on the sending thread (keep it
     * quick): how an autoscaler hears of a burst without waiting for its next tick. Listeners add
     * up, so one set by a wrapper (such as an autoscaler's nudge) survives a user's own.
     */
    public Builder publishListener(java.util.function.IntConsumer listener) {
      Objects.requireNonNull(listener, "listener");
      this.publishListener = publishListener == null ? listener : publishListener.andThen(listener);
      return this;
    }

    /**
     * Run at the end of {@link QueueExecutor#start}, once the task queue exists, on the starting
     * thread: how something that reads that queue (an autoscaler) knows when it can begin.
     * Listeners add up and run in order.
     */
    public Builder startListener(Runnable listener) {
      Objects.requireNonNull(listener, "listener");
      Runnable previous = startListener;
      this.startListener = previous == null ? listener : () -> {
        previous.run();
        listener.run();
      };
      return this;
    }

    /** Something the executor owns and closes last, such as the queue server it talks to. */
    public Builder closing(AutoCloseable resource) {
      closeAfter.add(Objects.requireNonNull(resource, "resource"));
      return this;
    }

    /** Builds the executor; without a signing key, one in {@code SHOAL_SIGNING_KEY} is used if set. */
    public QueueExecutor build() {
      String envKey = System.getenv(EnvelopeSigner.KEY_ENV);
      if (signerFactory == null && envKey != null && !envKey.isEmpty()) {
        signingKey(envKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      return new QueueExecutor(this);
    }
  }
}
