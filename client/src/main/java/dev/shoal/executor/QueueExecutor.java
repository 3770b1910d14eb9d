package dev.shoal.executor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.app.EncodingException;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.PayloadRef;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.monitor.RunListener;
import dev.shoal.spi.Invocation;
import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PublishListener;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.RunContext;
import dev.shoal.spi.TaskExecutor;
import dev.shoal.spi.Transport;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
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
  private static final long DEFAULT_MAX_PAYLOAD_BYTES = 1L << 30;
  /** Lambda's longest timeout. */
  static final Duration DEFAULT_FUNCTION_TIME_LIMIT = Duration.ofMinutes(15);
  /** The worker's error type for task arguments it could not fetch or verify (see the worker's TaskRunner). */
  static final String PAYLOAD_UNAVAILABLE = "shoal.worker.PayloadUnavailable";

  private final String label;
  private final Transport transport;
  private final String taskQueueName;
  private final QueueOptions taskQueueOptions;
  private final int maxTasksPerMessage;
  private final IntSupplier consumers;
  private final int maxSendsInFlight;
  private final Duration taskTimeout;
  private final Duration publishRetryTimeout;
  private final Duration replyQueueExpiry;
  private final byte[] signingKey;
  private final PublishListener publishListener;
  private final PayloadStore payloadStore;
  private final long maxPayloadBytes;
  private final String vmQueueName;
  private final Duration functionTimeLimit;

  // Set by start(), then only read.
  private RunContext context;
  private String taskQueue;
  private String replyQueue;
  private TaskEncoder encoder;
  private InFlightTasks inFlight;
  private TaskPublisher publisher;
  /** Publishes to the VM-only queue the tasks that may not run in a burst function; null without one. */
  private TaskPublisher vmPublisher;
  private String vmQueue;
  private ReplyConsumer replies;
  private ClaimChecks claims;
  private ScheduledExecutorService timer;
  private volatile boolean running;

  private QueueExecutor(Builder builder) {
    this.label = builder.label;
    this.transport = Objects.requireNonNull(builder.transport, "a queue executor needs a transport");
    this.taskQueueName = builder.taskQueue;
    this.taskQueueOptions = builder.taskQueueOptions;
    this.maxTasksPerMessage = builder.maxTasksPerMessage;
    this.consumers = builder.consumers;
    this.maxSendsInFlight = builder.maxSendsInFlight;
    this.taskTimeout = builder.taskTimeout;
    this.publishRetryTimeout = builder.publishRetryTimeout;
    this.replyQueueExpiry = builder.replyQueueExpiry;
    this.signingKey = builder.signingKey();
    this.publishListener = builder.publishListener == null ? (tasks, messages) -> { } : builder.publishListener;
    this.payloadStore = builder.payloadStore;
    this.maxPayloadBytes = builder.maxPayloadBytes;
    this.vmQueueName = builder.vmQueue;
    this.functionTimeLimit = builder.functionTimeLimit;
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

  /** The address of the pool's VM-only queue, once started; null when the pool has none. */
  public String vmQueue() {
    return vmQueue;
  }

  /** The address of this run's reply queue, once started. */
  public String replyQueue() {
    return replyQueue;
  }

  /**
   * Whether envelopes are signed: tasks by this executor, results by the workers, which must hold
   * the same key (a result without a valid signature is dropped).
   */
  public boolean signing() {
    return signingKey != null;
  }

  /** Results dropped because a result for the same task attempt had already arrived. */
  public long duplicatesDropped() {
    return inFlight == null ? 0 : inFlight.duplicates();
  }

  /**
   * Results dropped because they could not be believed: unreadable, invalid, or, when signing, not
   * signed with this executor's key. Their tasks keep waiting for a valid result.
   */
  public long invalidResultsDropped() {
    return replies == null ? 0 : replies.rejected();
  }

  /** Queue messages and tasks published so far (their ratio is the bundling achieved). */
  public long messagesSent() {
    return publisher == null ? 0 : publisher.messagesSent() + (vmPublisher == null ? 0 : vmPublisher.messagesSent());
  }

  public long tasksSent() {
    return publisher == null ? 0 : publisher.tasksSent() + (vmPublisher == null ? 0 : vmPublisher.tasksSent());
  }

  @Override
  public synchronized void start(RunContext context) {
    if (running) {
      throw new IllegalStateException("executor " + label + " was already started");
    }
    this.context = context;
    WireCodec wire = new WireCodec(context.codec());
    this.taskQueue = transport.openQueue(taskQueueName, taskQueueOptions).join();
    this.replyQueue = transport.createQueue("shoal-reply-" + context.runId(), QueueOptions.defaults()
        .withVisibilityTimeout(Duration.ofSeconds(30))
        .withRetention(replyQueueExpiry)
        .withTags(Map.of("shoal:run", context.runId(), "shoal:role", "reply",
            "shoal:expires", Instant.now().plus(replyQueueExpiry).toString()))).join();
    this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "shoal-" + label + "-timer");
      thread.setDaemon(true);
      return thread;
    });
    EnvelopeSigner signer = signingKey == null ? null : new EnvelopeSigner(signingKey, wire);
    this.claims = new ClaimChecks(label, payloadStore, maxPayloadBytes);
    this.encoder = new TaskEncoder(context.runId(), wire, signer, replyQueue, taskTimeout,
        TaskPublisher.maxEnvelopeBytes(transport), claims);
    this.inFlight = new InFlightTasks(context.completions());
    this.publisher = publisher(taskQueue);
    if (vmQueueName != null) {
      this.vmQueue = transport.openQueue(vmQueueName, taskQueueOptions).join();
      this.vmPublisher = publisher(vmQueue);
    }
    this.replies = new ReplyConsumer(label, transport, replyQueue, wire, context.runId(), signer, this::resultsArrived);
    running = true;
    publisher.start();
    if (vmPublisher != null) {
      vmPublisher.start();
    }
    replies.start();
    if (taskTimeout != null) {
      long period = Math.max(10, Math.min(1000, taskTimeout.toMillis() / 10));
      timer.scheduleWithFixedDelay(() -> inFlight.expire(System.nanoTime(),
          invocation -> new TaskTimeoutException(invocation.taskId(), invocation.app().name(), taskTimeout)), period, period, TimeUnit.MILLISECONDS);
    }
    log.info("executor {}: tasks to {}{}, results from {}", label, taskQueue,
        vmQueue == null ? "" : " (those that may not run in a function to " + vmQueue + ")", replyQueue);
  }

  /** A publisher to one task queue, failing a task it cannot send. */
  private TaskPublisher publisher(String queue) {
    return new TaskPublisher(label, transport, queue, maxTasksPerMessage, consumers, maxSendsInFlight,
        publishRetryTimeout, timer, new BundlingRecord(label, transport, queue, timer).andThen(publishListener),
        (task, error) -> {
          if (task.argumentObject() != null) {
            claims.settled(task.taskId());
          }
          inFlight.settle(task.taskId(), task.attempt(), invocation -> invocation.failed(error));
        },
        context.listener() == RunListener.none() ? TaskPublisher.Sent.NONE : task -> {
          Invocation invocation = inFlight.peek(task.taskId(), task.attempt());
          if (invocation != null) {
            invocation.queued(queue);
          }
        });
  }

  /** The VM-only queue's publisher for a task that may not run in a burst function, where there is one. */
  private TaskPublisher publisherFor(Invocation invocation) {
    return vmPublisher != null && !invocation.app().fitsFunction(functionTimeLimit) ? vmPublisher : publisher;
  }

  /**
   * A remote task stays {@code LAUNCHED} until its result arrives: a worker sends no notice when it
   * starts one (that would cost a message per task), so the client cannot honestly say it runs.
   */
  @Override
  public void submit(Invocation invocation) {
    CompletableFuture<TaskEncoder.Outgoing> outgoing;
    try {
      outgoing = encoder.encode(invocation);
    } catch (RuntimeException e) {
      invocation.failed(e);
      return;
    }
    inFlight.add(invocation, taskTimeout == null ? Long.MAX_VALUE : System.nanoTime() + taskTimeout.toNanos());
    // Ready at once, unless its arguments are on their way to the payload store.
    outgoing.whenComplete((task, error) -> {
      if (error != null) {
        Throwable cause = ClaimChecks.unwrap(error);
        inFlight.settle(invocation.taskId(), invocation.attempt(), failed -> failed.failed(cause));
        return;
      }
      if (task.argumentObject() != null) {
        // Before it is published, so that its result cannot arrive first.
        claims.sent(task.taskId(), task.argumentObject());
      }
      publisherFor(invocation).publish(task);
    });
  }

  private void resultsArrived(List<ResultEnvelope> results) {
    inFlight.settleAll(results, ResultEnvelope::id, ResultEnvelope::attempt, this::deliver);
  }

  /** On the kernel's completion executor: decodes the value and completes the task. */
  private void deliver(Invocation invocation, ResultEnvelope result) {
    // Whatever the outcome, this attempt's arguments are of no more use.
    claims.settled(result.id());
    PayloadRef valueRef = result.valueRef();
    if (!invocation.started()) {
      if (valueRef != null && claims.enabled()) {
        claims.delete(valueRef.location());
      }
      return; // cancelled while it was out
    }
    invocation.ranOn(result.worker(), result.received(), result.started(), result.finished());
    switch (result.status()) {
      case OK -> {
        if (valueRef == null) {
          succeed(invocation, result, result.value());
          return;
        }
        // Fetched off the completion executor, then completed on it; deleted once consumed.
        claims.fetch(result.id(), invocation.app().name(), valueRef).whenComplete((bytes, error) ->
            onCompletions(() -> {
              try {
                if (error != null) {
                  invocation.failed(ClaimChecks.unwrap(error));
                } else {
                  succeed(invocation, result, readValue(invocation, result, bytes));
                }
              } catch (RuntimeException e) {
                invocation.failed(e);
              } finally {
                if (claims.enabled()) {
                  claims.delete(valueRef.location());
                }
              }
            }));
      }
      case APP_ERROR -> invocation.failed(ExceptionRebuilder.rebuild(result.id(), invocation.app(), result.worker(),
          result.error()));
      case WORKER_ERROR -> invocation.failed(workerFailure(invocation, result));
    }
  }

  private RuntimeException workerFailure(Invocation invocation, ResultEnvelope result) {
    JsonNode uri = result.error().fields() == null ? null : result.error().fields().get("uri");
    if (PAYLOAD_UNAVAILABLE.equals(result.error().type()) && uri != null && uri.isTextual()) {
      URI location;
      try {
        location = new URI(uri.asText());
      } catch (URISyntaxException e) {
        location = null;
      }
      return new PayloadUnavailableException(result.id(), invocation.app().name(), result.worker(), location,
          result.error().message());
    }
    return new WorkerFailureException(result.id(), invocation.app().name(), result.worker(), result.error().message());
  }

  private JsonNode readValue(Invocation invocation, ResultEnvelope result, byte[] bytes) {
    try {
      return context.codec().readTree(bytes);
    } catch (EncodingException e) {
      throw new EncodingException("the result of task " + result.id() + " (" + invocation.app().name()
          + ") from worker " + result.worker() + " does not decode: " + e.getMessage(), e);
    }
  }

  private void succeed(Invocation invocation, ResultEnvelope result, JsonNode tree) {
    JsonCodec json = context.codec();
    Object value;
    try {
      value = json.decode(tree == null ? json.mapper().nullNode() : tree, invocation.app().resultType());
    } catch (EncodingException e) {
      invocation.failed(new EncodingException("the result of task " + result.id() + " (" + invocation.app().name()
          + ") from worker " + result.worker() + " does not decode: " + e.getMessage(), e));
      return;
    }
    invocation.succeeded(value);
  }

  private void onCompletions(Runnable action) {
    try {
      context.completions().execute(action);
    } catch (RejectedExecutionException stopped) {
      action.run();
    }
  }

  @Override
  public void shutdown(boolean cancel) {
    if (cancel && running) {
      publisher.discardUnsent();
      if (vmPublisher != null) {
        vmPublisher.discardUnsent();
      }
      inFlight.failAll(this::shutDownBeforeReturn);
    }
  }

  private Throwable shutDownBeforeReturn(Invocation invocation) {
    return new CancellationException("executor " + label + " was shut down before task " + invocation.taskId()
        + " returned");
  }

  @Override
  public void close() {
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
    }
    publisher.close();
    if (vmPublisher != null) {
      vmPublisher.close();
    }
    replies.close();
    timer.shutdownNow();
    inFlight.failAll(this::shutDownBeforeReturn);
    claims.close();
    try {
      transport.deleteQueue(replyQueue).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("executor {}: could not delete reply queue {} (it expires by itself): {}", label, replyQueue, e.toString());
    }
    log.info("executor {}: sent {} tasks in {} messages; dropped {} duplicate and {} invalid results", label,
        tasksSent(), messagesSent(), inFlight.duplicates(), replies.rejected());
  }

  @Override
  public String toString() {
    return "QueueExecutor[" + label + ", " + (taskQueue != null ? taskQueue : taskQueueName) + "]";
  }

  /** Configuration of a queue executor. */
  public static final class Builder {
    private String label = "queue";
    private Transport transport;
    private String taskQueue = "shoal-tasks";
    private QueueOptions taskQueueOptions = QueueOptions.defaults().withMaxReceiveCount(5);
    private int maxTasksPerMessage = 256;
    private IntSupplier consumers = () -> 0;
    private int maxSendsInFlight = 4;
    private Duration taskTimeout;
    private Duration publishRetryTimeout = Duration.ofMinutes(2);
    private Duration replyQueueExpiry = Duration.ofDays(1);
    private byte[] signingKey;
    private PublishListener publishListener;
    private PayloadStore payloadStore;
    private long maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private String vmQueue;
    private Duration functionTimeLimit = DEFAULT_FUNCTION_TIME_LIMIT;

    private Builder() {}

    public Builder label(String label) {
      this.label = Objects.requireNonNull(label, "label");
      return this;
    }

    /** The queue service; the caller owns it and closes it after the executor. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** The task queue: a name (created if missing, with {@link #taskQueueOptions}) or an address. */
    public Builder taskQueue(String nameOrAddress) {
      this.taskQueue = Objects.requireNonNull(nameOrAddress, "nameOrAddress");
      return this;
    }

    /**
     * The pool's VM-only queue (a name, created if missing with {@link #taskQueueOptions}, or an
     * address): the tasks whose app may not run on the pool's burst functions go there instead of to
     * the task queue ({@link dev.shoal.app.AppBuilder#runsInFunctions}, or a walltime beyond {@link
     * #functionTimeLimit}), and only VM workers serve it ({@code --vm-queue}); the burst functions
     * read the task queue alone. None by default: every task goes to the task queue.
     */
    public Builder vmQueue(String nameOrAddress) {
      this.vmQueue = Objects.requireNonNull(nameOrAddress, "nameOrAddress");
      return this;
    }

    /**
     * The longest a burst function gives one task (default 15 minutes, Lambda's most): an app that
     * declares a longer walltime goes to the {@linkplain #vmQueue VM-only queue}.
     */
    public Builder functionTimeLimit(Duration limit) {
      Objects.requireNonNull(limit, "limit");
      if (limit.isNegative() || limit.isZero()) {
        throw new IllegalArgumentException("functionTimeLimit must be positive: " + limit);
      }
      this.functionTimeLimit = limit;
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

    /**
     * How many consumers (worker slots) are ready to take tasks, read at each send: a burst of N
     * tasks then goes out in at least min(N, consumers) messages, shared evenly, since a message
     * goes whole to one consumer. 0 or less means unknown (the default): bundles as full as the
     * limits allow.
     */
    public Builder consumers(IntSupplier consumers) {
      this.consumers = Objects.requireNonNull(consumers, "consumers");
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

    /**
     * Sign every task with this key (at least 16 bytes) and accept only results signed with it:
     * workers holding the key reject any other task, and sign their results.
     */
    public Builder signingKey(byte[] key) {
      this.signingKey = key.clone();
      return this;
    }

    /** The key set, or else the one in {@code SHOAL_SIGNING_KEY}; null for none. */
    private byte[] signingKey() {
      if (signingKey != null) {
        return signingKey.clone();
      }
      String envKey = System.getenv(EnvelopeSigner.KEY_ENV);
      return envKey == null || envKey.isEmpty() ? null : envKey.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Told the number of tasks each time some were published, on the sending thread (keep it
     * quick): how an autoscaler hears of a burst without waiting for its next tick. Listeners add
     * up, so one set by a wrapper (such as an autoscaler's nudge) survives a user's own.
     */
    public Builder publishListener(PublishListener listener) {
      Objects.requireNonNull(listener, "listener");
      this.publishListener = publishListener == null ? listener : publishListener.andThen(listener);
      return this;
    }

    /**
     * Carries payloads too large for a queue message by claim check: a task's arguments over the
     * limit are put in this store (under the run's id) and its envelope carries their reference,
     * and workers may answer with a reference to a large result, which is fetched from here. Each
     * object is verified (size and SHA-256) and deleted once its result has arrived. The caller owns
     * the store and closes it after the executor. Without one, such a task fails with a
     * {@link PayloadTooLargeException}.
     */
    public Builder payloadStore(PayloadStore store) {
      this.payloadStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The largest payload put in or fetched from the payload store, in bytes (default 1 GiB): a
     * result whose reference names more fails with a {@link PayloadUnavailableException} unread.
     */
    public Builder maxPayloadBytes(long max) {
      if (max < 1 || max > PayloadRef.MAX_SIZE) {
        throw new IllegalArgumentException("maxPayloadBytes must be in 1.." + PayloadRef.MAX_SIZE + ": " + max);
      }
      this.maxPayloadBytes = max;
      return this;
    }

    /** Builds the executor; without a signing key, one in {@code SHOAL_SIGNING_KEY} is used if set. */
    public QueueExecutor build() {
      return new QueueExecutor(this);
    }
  }
}
