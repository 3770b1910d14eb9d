package dev.shoal.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.internal.wire.Decoded;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.InvalidEnvelopeException;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a task queue (and the pool's VM-only queue beside it, where there is one: {@link
 * WorkerOptions#vmQueue()}, one receiver each, sharing the slots): long-polls it for task bundles, runs their tasks in a fixed number of
 * slots, posts each result to the task's reply queue, and acks a message only once the results
 * of all of its tasks are posted. While it holds a message it keeps extending the message's lease.
 *
 * <p>It holds only what it can start soon ({@link TaskPace}): one task per free slot until it knows
 * how long its tasks take, then as many waiting as its slots start within the hold horizon; waiting
 * tasks beyond that go back to the queue one message each, so that a burst spreads over the pool.
 *
 * <p>Start one with {@link #start(WorkerConfig)}; stop it with {@link #shutdown()} (or
 * {@link #close()}, which also waits). It stops by itself after its idle timeout, and gives up once
 * every poll has failed for its unreachable timeout. The worker does not own the transport: closing
 * it is the caller's job, after the worker has terminated. A work directory it had to create (none
 * was given) is deleted when it stops.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  private static final Duration MAX_RECEIVE_BACKOFF = Duration.ofSeconds(30);
  private static final Duration FINAL_RELEASE_WAIT = Duration.ofSeconds(10);
  /**
   * How long a stopping worker waits for its last long poll, to release what it brings. A poll
   * cannot be cancelled at the service, and waiting out its full 20 s would make every stop slow;
   * what a poll delivers after this comes back by itself when its lease runs out.
   */
  private static final Duration LATE_POLL_WAIT = Duration.ofSeconds(2);
  /** How often the worker looks for waiting tasks that will not start within the hold horizon. */
  private static final Duration HAND_BACK_CHECK = Duration.ofMillis(100);

  private final WorkerConfig config;
  private final String id;
  private final Transport transport;
  /** The first queue it serves, which names it in logs. */
  private final String queue;
  /** One per queue it serves, in the order of {@link WorkerOptions#queues()}. */
  private final Map<String, Lane> lanes = new java.util.LinkedHashMap<>();
  private final WireCodec codec;
  private final TransportLimits limits;
  private final TaskRunner runner;
  private final TaskIntake intake;
  private final ResultEncoder encoder;
  private final PayloadStores payloads;
  /** Verifies every task and signs every result; null when the worker runs unsigned tasks. */
  private final EnvelopeSigner signer;
  private final Path workDir;
  /** True when no work directory was given and the worker made a temporary one, to delete when it stops. */
  private final boolean temporaryWorkDir;
  private final int slotCount;
  private final TaskPace pace;
  /** A running average of tasks per received message, to ask for as many messages as there is room for. */
  private volatile double tasksPerMessage = 1;
  private final ThreadPoolExecutor slots;
  /**
   * Runs redelivered tasks at once, beside the slots. A task's delivery count is the only evidence
   * of poison, and a delivery spent waiting behind the slots of a worker that then died counts as
   * much as one that crashed it: a redelivered task that waited again could be dead-lettered as
   * poison without ever having run. Bounded by what one poll brings.
   */
  private final ThreadPoolExecutor redeliveries;
  private final ScheduledExecutorService timer;
  private final ResultPublisher results;

  private final Set<HeldMessage> held = ConcurrentHashMap.newKeySet();
  /** Redelivered messages held unrun until the worker stops, with {@link WorkerConfig#firstDeliveriesOnly()}. */
  private final Queue<HeldMessage> deferred = new ConcurrentLinkedQueue<>();
  private final AtomicInteger unstarted = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  /** When the last task started: while tasks wait, the start of the youngest running one. */
  private volatile long lastStart = System.nanoTime();
  /** Receivers waiting for room (guarded by signal, read without it). */
  private volatile int receiversWaiting;
  /** Set by the first receiver to stop, which stops the worker; the others only leave. */
  private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
  /** Held while waiting tasks are handed back, so that two checks never hand back the same excess. */
  private final Object handingBack = new Object();
  // Wakes the receiver (room for more tasks, stop) and the shutdown (nothing held any more).
  private final Object signal = new Object();
  private final CompletableFuture<Void> stopRequested = new CompletableFuture<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile boolean abandoned;
  private volatile long idleSince = System.nanoTime();
  private volatile ScheduledFuture<?> leaseTicks;
  private volatile StopReason stopReason;

  /** Why a worker stopped. */
  enum StopReason {
    /** Nothing to do for its idle timeout. */
    IDLE,
    /** {@link #shutdown()}. */
    ASKED,
    /** Every poll failed for the unreachable timeout. */
    QUEUE_UNREACHABLE,
    /** A bug of ours stopped the receiver. */
    FAILED
  }

  private Worker(WorkerConfig config) {
    this.config = config;
    this.id = config.options().workerId();
    this.transport = config.transport();
    this.queue = config.options().queue();
    this.codec = config.codec();
    this.limits = transport.limits();
    Path workDir = config.options().workDir();
    this.temporaryWorkDir = workDir == null;
    try {
      workDir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("shoal-worker-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the work directory " + workDir, e);
    }
    this.workDir = workDir;
    this.payloads = new PayloadStores(config.payloadStore(), config.options().payloadStore(),
        config.options().transportSettings());
    this.runner = new TaskRunner(config.registry(), codec.json(), id, workDir, payloads);
    this.signer = config.signer();
    this.encoder = new ResultEncoder(id, codec, signer, limits.maxMessageBytes(), runner, payloads);
    // Short tasks: enough waiting that the next message arrives before the slots run dry (a poll
    // takes a few milliseconds, a no-op task a few microseconds). Long ones: one per slot, so that
    // a pool of workers shares a burst instead of the first poller hoarding it.
    this.slotCount = config.options().slots();
    this.pace = new TaskPace(slotCount, config.holdHorizon(), Math.max(4 * slotCount, 64));
    this.slots = new ThreadPoolExecutor(slotCount, slotCount, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), threads("slot"));
    this.redeliveries = new ThreadPoolExecutor(0, Math.max(1, limits.maxReceiveBatch()), 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), threads("redelivered"), (run, pool) -> slots.execute(run));
    this.timer = Executors.newSingleThreadScheduledExecutor(threads("timer"));
    this.results = new ResultPublisher(transport, timer, config.postRetryLimit(), () -> abandoned,
        this::resultPosted, this::resultGivenUp);
    ThreadFactory receivers = threads("receiver");
    for (String served : config.options().queues()) {
      MessageSettler settler = new MessageSettler(id, transport, served, codec, timer, config.postRetryLimit(),
          () -> abandoned, this::forget);
      Lane lane = new Lane(served, settler);
      lane.receiver = receivers.newThread(() -> receiveLoop(lane));
      lanes.put(served, lane);
    }
    this.intake = new TaskIntake(id, codec, signer, runner, config.options().maxDeliveries(), new TaskIntake.Host() {
      @Override
      public void publish(HeldMessage held, String reply, ResultEnvelope result, boolean required, boolean byRef) {
        Worker.this.publish(held, reply, result, required, byRef);
      }

      @Override
      public void schedule(HeldMessage held, TaskEnvelope task, int index) {
        unstarted.incrementAndGet();
        // A redelivered task starts at once, never behind the slots (see redeliveries).
        (held.message.receiveCount() > 1 ? redeliveries : slots).execute(new TaskRun(held, task, index, Worker.this::execute));
      }

      @Override
      public void letGo(HeldMessage held) {
        lane(held).settler.letGo(held);
      }
    });
  }

  /** Starts a worker: it begins polling at once. */
  public static Worker start(WorkerConfig config) {
    Worker worker = new Worker(config);
    long period = Math.max(1, config.options().lease().toMillis() / 3);
    worker.leaseTicks = worker.timer.scheduleWithFixedDelay(worker::extendLeases, period, period, TimeUnit.MILLISECONDS);
    long check = HAND_BACK_CHECK.toMillis();
    worker.timer.scheduleWithFixedDelay(worker::handBackExcess, check, check, TimeUnit.MILLISECONDS);
    worker.lanes.values().forEach(lane -> lane.receiver.start());
    log.info("worker {} polling {} with {} slots", worker.id, String.join(" and ", worker.lanes.keySet()),
        config.options().slots());
    return worker;
  }

  public String id() {
    return id;
  }

  public WorkerConfig config() {
    return config;
  }

  /**
   * Stops receiving, releases messages whose tasks have not started, lets running tasks finish
   * and post their results for up to the shutdown grace, then releases whatever is left. Returns
   * at once; see {@link #awaitTermination()}.
   */
  public void shutdown() {
    if (stopRequested.complete(null)) {
      log.info("worker {} asked to stop", id);
    }
    wake();
  }

  public void awaitTermination() {
    terminated.join();
  }

  /** True when the worker terminated within the timeout. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    try {
      terminated.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }

  public boolean isTerminated() {
    return terminated.isDone();
  }

  /** Why the worker stopped; null while it runs. */
  StopReason stopReason() {
    return stopReason;
  }

  /** A future completed when the worker has stopped, whether asked to or idle. */
  public CompletableFuture<Void> terminationFuture() {
    return terminated.copy();
  }

  @Override
  public void close() {
    shutdown();
    awaitTermination();
  }

  @Override
  public String toString() {
    return "Worker[" + id + " on " + queue + "]";
  }

  // ---- receiving

  private void receiveLoop(Lane lane) {
    String queue = lane.queue;
    long backoffMillis = 0;
    // Whether the last poll failed, and when the polls began failing since the last one that succeeded.
    boolean failing = false;
    long failingSince = 0;
    StopReason reason = StopReason.ASKED;
    try {
      while (!stopRequested.isDone()) {
        if (!awaitRoom()) {
          break;
        }
        Duration wait = pollWait();
        if (wait == null) {
          log.info("worker {} received nothing for {}, stopping", id, config.options().idleTimeout());
          reason = StopReason.IDLE;
          break;
        }
        int max = (int) Math.max(1, Math.min(limits.maxReceiveBatch(), Math.ceil(room() / tasksPerMessage)));
        CompletableFuture<List<ReceivedMessage>> poll = MessageSettler.call(() -> transport.receive(queue, max, wait));
        List<ReceivedMessage> messages;
        try {
          CompletableFuture.anyOf(poll, stopRequested).get();
          if (stopRequested.isDone()) {
            // Whatever this poll still brings is released, not run.
            CompletableFuture<Void> released = poll.thenCompose(late -> late.isEmpty()
                ? CompletableFuture.completedFuture(null) : transport.extendLease(queue, late, Duration.ZERO));
            lane.latePoll = released;
            // On the released future itself: the one whenComplete returns is not done while its action runs.
            released.whenComplete((ignored, error) -> wake());
            break;
          }
          messages = poll.get();
          backoffMillis = 0;
          failing = false;
        } catch (ExecutionException e) {
          long now = System.nanoTime();
          if (!failing) {
            failing = true;
            failingSince = now;
          }
          Duration giveUpAfter = config.options().unreachableTimeout();
          long left = giveUpAfter.toNanos() - (now - failingSince);
          if (left <= 0) {
            log.error("worker {}: giving up: every poll of {} has failed for {} (the unreachable timeout); last "
                + "error: {}", id, queue, giveUpAfter, e.getCause().toString());
            reason = StopReason.QUEUE_UNREACHABLE;
            break;
          }
          backoffMillis = Math.min(MAX_RECEIVE_BACKOFF.toMillis(), Math.max(500, backoffMillis * 2));
          log.warn("worker {}: receiving from {} failed, trying again in {} ms: {}", id, queue, backoffMillis,
              e.getCause().toString());
          // Not past the unreachable timeout by more than one more poll.
          pause(Math.max(1, Math.min(backoffMillis, TimeUnit.NANOSECONDS.toMillis(left))));
          continue;
        }
        if (!messages.isEmpty()) {
          idleSince = System.nanoTime();
          Instant received = Instant.now();
          for (ReceivedMessage message : messages) {
            intake(lane, message, received);
          }
          // A bundle larger than the room goes back at once when its tasks are known to be long.
          handBackExcess();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      log.error("worker {}: receiver failed, stopping", id, e);
      reason = StopReason.FAILED;
    } finally {
      // The first receiver to leave stops the worker; the others leave because it is stopping.
      if (stopping.compareAndSet(false, true)) {
        stop(reason);
      }
    }
  }

  /** Waits while the worker holds all it should; false when the worker is stopping. */
  private boolean awaitRoom() throws InterruptedException {
    synchronized (signal) {
      // Set before the room is read, so that a task finishing after that read sees it and wakes us.
      receiversWaiting++;
      try {
        while (room() <= 0 && !stopRequested.isDone()) {
          signal.wait();
        }
      } finally {
        receiversWaiting--;
      }
    }
    return !stopRequested.isDone();
  }

  /** Tasks the worker may still take: a free slot each, and as many waiting as its pace allows. */
  private int room() {
    return slotCount + pace.waitingToPollFor(youngestRunningNanos()) - running.get() - unstarted.get();
  }

  /** The youngest running task's age while every slot is busy (then no slot is about to take a waiting task); else 0. */
  private long youngestRunningNanos() {
    return running.get() >= slotCount ? Math.max(0, System.nanoTime() - lastStart) : 0;
  }

  /** How long the next poll may wait; null when the idle timeout has run out. */
  private Duration pollWait() {
    Duration wait = limits.receiveWait(config.options().receiveWait());
    Duration idle = config.options().idleTimeout();
    if (idle.isZero()) {
      return wait;
    }
    if (!held.isEmpty()) {
      // A poll started while busy must not outlast the idle timeout either, or a worker that goes
      // idle right after would linger for a whole long poll before it notices.
      return idle.compareTo(wait) < 0 ? idle : wait;
    }
    long left = idle.toNanos() - (System.nanoTime() - idleSince);
    if (left <= 0) {
      return null;
    }
    return left < wait.toNanos() ? Duration.ofNanos(left) : wait;
  }

  private void pause(long millis) throws InterruptedException {
    try {
      stopRequested.get(millis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Waited the full pause.
    }
  }

  private void intake(Lane lane, ReceivedMessage message, Instant received) {
    MessageSettler settler = lane.settler;
    if (config.firstDeliveriesOnly() && message.receiveCount() > 1) {
      defer(lane, message, received);
      return;
    }
    Decoded<TaskEnvelope> decoded;
    try {
      // Verified here, before a slot is spent on them: only signed envelopes go further.
      decoded = codec.decodeTasks(message.body(), limits.maxMessageBytes(), signer);
    } catch (InvalidEnvelopeException e) {
      log.warn("worker {}: message {} is unreadable, dead-lettering it: {}", id, message.id(), e.getMessage());
      settler.deadLetterUnheld(message, e.getMessage());
      return;
    }
    int size = decoded.envelopes().size() + decoded.rejected().size();
    tasksPerMessage = 0.8 * tasksPerMessage + 0.2 * Math.max(1, size);
    if (size == 0) {
      log.warn("worker {}: message {} is a bundle of no tasks, dead-lettering it", id, message.id());
      settler.deadLetterUnheld(message, "the task bundle holds no tasks");
      return;
    }
    if (size > 1 && message.receiveCount() > 1) {
      split(lane, message, size);
      return;
    }
    HeldMessage held = new HeldMessage(message, received, size, lane.queue);
    this.held.add(held);
    try {
      intake.take(held, decoded);
    } catch (RuntimeException e) {
      // A bug of ours, not the message's: let it go back to the queue rather than hold it forever.
      log.error("worker {}: could not take in message {}", id, message.id(), e);
      held.markUnposted();
    }
    if (held.arrive()) {
      settler.settle(held);
    }
  }

  /**
   * Holds a redelivered message unrun (its lease extended like any other) until the worker stops,
   * then releases it: releasing it now would only bring it back to this worker, a delivery more
   * each time. Its intake guard is the one piece it waits for, given back when the worker stops.
   */
  private void defer(Lane lane, ReceivedMessage message, Instant received) {
    HeldMessage held = new HeldMessage(message, received, 1, lane.queue);
    this.held.add(held);
    deferred.add(held);
    log.info("worker {}: message {} is on delivery {}; holding it unrun for another worker", id, message.id(),
        message.receiveCount());
  }

  private void releaseDeferred() {
    HeldMessage held;
    while ((held = deferred.poll()) != null) {
      held.markIncomplete();
      if (held.arrive()) {
        lane(held).settler.settle(held);
      }
    }
  }

  /** Re-sends each envelope as a bundle of its own, so that one task that kills workers cannot take the others down with it. */
  private void split(Lane lane, ReceivedMessage message, int size) {
    String queue = lane.queue;
    JsonNode items = MessageSettler.bundleItems(codec, message.body());
    List<byte[]> singles = new ArrayList<>(size);
    // Re-encoding keeps signatures valid: they are over the envelope's canonical encoding.
    for (JsonNode item : items) {
      singles.add(lane.settler.single(item));
    }
    log.info("worker {}: message {} of {} tasks is on delivery {}; splitting it into single tasks", id,
        message.id(), size, message.receiveCount());
    MessageSettler.call(() -> transport.send(queue, singles))
        .thenCompose(sent -> transport.ack(queue, List.of(message)))
        .whenComplete((ignored, error) -> {
          if (error != null) {
            // Its lease runs out and it comes back, to be split again.
            log.warn("worker {}: could not split message {}: {}", id, message.id(), error.toString());
          }
        });
  }

  /**
   * Hands back the waiting tasks that will not start within the hold horizon, each as a message of
   * its own, so that an idle worker can take it now instead of it waiting behind this one's slots.
   * Their message is settled (acknowledged) only once the copies are sent; if sending fails, the
   * message is released whole and comes back (split, since it is then a redelivery).
   */
  private void handBackExcess() {
    try {
      synchronized (handingBack) {
        if (stopRequested.isDone() || unstarted.get() <= keep()) {
          return; // the common case, decided without locking the slots' queue
        }
        // The snapshot first: a task a slot takes after it is running by the time keep() reads it.
        Object[] waiting = slots.getQueue().toArray();
        long youngest = youngestRunningNanos();
        long keep = keep();
        if (waiting.length <= keep) {
          return;
        }
        List<TaskRun> handed = new ArrayList<>();
        for (int i = (int) keep; i < waiting.length; i++) {
          TaskRun run = (TaskRun) waiting[i];
          if (run.cancel()) {
            slots.remove(run);
            unstarted.decrementAndGet();
            handed.add(run);
          }
        }
        if (!handed.isEmpty()) {
          log.info("worker {}: handing back {} waiting task(s) that would not start within {} (tasks take about {} ms)",
              id, handed.size(), config.holdHorizon(), TimeUnit.NANOSECONDS.toMillis(pace.estimateNanos(youngest)));
          resend(handed);
        }
      }
    } catch (RuntimeException e) {
      // On the timer: a periodic task that throws is never run again.
      log.error("worker {}: handing back waiting tasks failed", id, e);
    }
  }

  /** Waiting tasks to keep: those expected to start within the hold horizon, and one for each free slot. */
  private long keep() {
    return (long) pace.waitingToKeep(youngestRunningNanos()) + Math.max(0, slotCount - running.get());
  }

  private void resend(List<TaskRun> handed) {
    // Each back to the queue it came from: a VM-only task must never reach the burst's queue.
    Map<Lane, List<TaskRun>> byLane = new java.util.LinkedHashMap<>();
    for (TaskRun run : handed) {
      byLane.computeIfAbsent(lane(run.message), lane -> new ArrayList<>()).add(run);
    }
    byLane.forEach(this::resend);
  }

  private void resend(Lane lane, List<TaskRun> handed) {
    MessageSettler settler = lane.settler;
    List<byte[]> singles = new ArrayList<>(handed.size());
    Map<HeldMessage, JsonNode> items = new HashMap<>();
    for (TaskRun run : handed) {
      // Re-encoding keeps signatures valid: they are over the envelope's canonical encoding.
      JsonNode bundle = items.computeIfAbsent(run.message, held -> MessageSettler.bundleItems(codec, held.message.body()));
      singles.add(settler.single(bundle.get(run.index)));
    }
    MessageSettler.call(() -> transport.send(lane.queue, singles)).whenComplete((ignored, error) -> {
      if (error != null) {
        log.warn("worker {}: could not hand back {} task(s), releasing their messages instead: {}", id,
            handed.size(), error.toString());
      }
      for (TaskRun run : handed) {
        if (error != null) {
          run.message.markIncomplete();
        }
        if (run.message.arrive()) {
          settler.settle(run.message);
        }
      }
    });
  }

  // ---- running

  private void execute(TaskRun run) {
    running.incrementAndGet();
    long started = System.nanoTime();
    lastStart = started;
    unstarted.decrementAndGet();
    try {
      intake.run(run);
    } finally {
      pace.finished(System.nanoTime() - started);
      running.decrementAndGet();
      if (receiversWaiting > 0) {
        wake();
      }
    }
  }

  private void publish(HeldMessage held, String reply, ResultEnvelope result, boolean required) {
    publish(held, reply, result, required, false);
  }

  /** @param byRef whether the task's client takes a result too large for a message by reference */
  private void publish(HeldMessage held, String reply, ResultEnvelope result, boolean required, boolean byRef) {
    if (abandoned) {
      return; // its message was released when the grace period ran out
    }
    results.post(reply, encoder.encode(result, byRef), held, required);
  }

  private void resultPosted(ResultPublisher.Pending result) {
    lane(result.owner()).settler.arrive(result.owner());
  }

  private void resultGivenUp(ResultPublisher.Pending result) {
    lane(result.owner()).settler.givenUp(result);
  }

  /** The lane of the queue a held message came from. */
  private Lane lane(HeldMessage held) {
    return lanes.get(held.queue);
  }

  // ---- settling messages

  private void forget(HeldMessage held) {
    if (this.held.remove(held) && this.held.isEmpty()) {
      idleSince = System.nanoTime();
      wake();
    }
  }

  private void extendLeases() {
    try {
      Map<String, List<ReceivedMessage>> byQueue = new HashMap<>();
      for (HeldMessage message : held) {
        if (!message.isLetGo()) {
          byQueue.computeIfAbsent(message.queue, served -> new ArrayList<>()).add(message.message);
        }
      }
      byQueue.forEach(this::extendLeases);
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again; leases must keep being extended.
      log.error("worker {}: lease extension failed", id, e);
    }
  }

  private void extendLeases(String queue, List<ReceivedMessage> leased) {
    try {
      MessageSettler.call(() -> transport.extendLease(queue, leased, config.options().lease())).whenComplete((ignored, error) -> {
        if (error == null) {
          return;
        }
        // A message acknowledged while the extension was on its way has an invalid receipt by now:
        // expected, not worth a warning.
        long stillHeld = leased.stream().filter(m -> held.stream().anyMatch(h -> h.message == m && !h.isLetGo()))
            .count();
        if (stillHeld < leased.size()) {
          log.debug("worker {}: extending leases raced an acknowledgement: {}", id, error.toString());
        } else {
          log.warn("worker {}: extending the leases of {} message(s) failed: {}", id, leased.size(), error.toString());
        }
      });
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again; leases must keep being extended.
      log.error("worker {}: lease extension failed", id, e);
    }
  }

  // ---- stopping

  private void stop(StopReason reason) {
    stopRequested.complete(null);
    try {
      List<Runnable> queued = new ArrayList<>();
      slots.getQueue().drainTo(queued);
      int cancelled = 0;
      for (Runnable task : queued) {
        TaskRun run = (TaskRun) task;
        if (run.cancel()) {
          cancelled++;
          unstarted.decrementAndGet();
          run.message.markIncomplete();
          if (run.message.arrive()) {
            lane(run.message).settler.settle(run.message);
          }
        }
      }
      int deferredCount = deferred.size();
      if (deferredCount > 0) {
        // Released while the last poll is still open at the service, they could come straight back
        // to it, a delivery more each.
        awaitLatePoll();
      }
      releaseDeferred();
      if (deferredCount > 0) {
        log.info("worker {} stopping: {} redelivered message(s) it held unrun released", id, deferredCount);
      }
      log.info("worker {} stopping: {} unstarted task(s) handed back, {} running", id, cancelled,
          slots.getActiveCount() + redeliveries.getActiveCount());
      awaitIdle(System.nanoTime() + config.shutdownGrace().toNanos());
      if (!held.isEmpty()) {
        abandon();
      }
    } catch (RuntimeException e) {
      log.error("worker {}: stopping failed", id, e);
    } finally {
      leaseTicks.cancel(false);
      slots.shutdownNow();
      redeliveries.shutdownNow();
      timer.shutdown();
      try {
        timer.awaitTermination(FINAL_RELEASE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (temporaryWorkDir) {
        deleteWorkDir();
      }
      payloads.close();
      log.info("worker {} stopped", id);
      stopReason = reason;
      terminated.complete(null);
    }
  }

  private void awaitLatePoll() {
    try {
      CompletableFuture.allOf(lanes.values().stream().map(lane -> lane.latePoll).toArray(CompletableFuture[]::new))
          .get(LATE_POLL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Dealt with (or given up on) as in awaitIdle.
    }
  }

  /** Waits until nothing is held and the last poll has been dealt with, or the deadline passes. */
  private void awaitIdle(long deadline) {
    long latePollDeadline = System.nanoTime() + LATE_POLL_WAIT.toNanos();
    synchronized (signal) {
      while (!held.isEmpty() || (!latePollsDone() && System.nanoTime() - latePollDeadline < 0)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          long untilLatePoll = latePollDeadline - System.nanoTime();
          long wait = held.isEmpty() && untilLatePoll > 0 ? Math.min(left, untilLatePoll) : left;
          signal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private boolean latePollsDone() {
    return lanes.values().stream().allMatch(lane -> lane.latePoll.isDone());
  }

  /** The grace period is over: release what is still held, and drop the results still to come. */
  private void abandon() {
    abandoned = true;
    Map<String, List<ReceivedMessage>> left = new HashMap<>();
    int count = 0;
    for (HeldMessage message : held) {
      if (message.settle()) {
        message.letGo();
        left.computeIfAbsent(message.queue, served -> new ArrayList<>()).add(message.message);
        count++;
      }
    }
    log.warn("worker {}: grace period of {} is over with {} message(s) still held; releasing them", id,
        config.shutdownGrace(), count);
    if (left.isEmpty()) {
      return;
    }
    List<CompletableFuture<Void>> releases = new ArrayList<>();
    try {
      left.forEach((queue, messages) -> {
        CompletableFuture<Void> released = new CompletableFuture<>();
        releases.add(released);
        timer.execute(() -> MessageSettler.call(() -> transport.extendLease(queue, messages, Duration.ZERO))
            .whenComplete((ignored, error) -> {
              if (error != null) {
                log.warn("worker {}: could not release {} message(s) of {}: {}", id, messages.size(), queue,
                    error.toString());
              }
              released.complete(null);
            }));
      });
      CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new))
          .get(FINAL_RELEASE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
      log.warn("worker {}: releasing held messages did not finish: {}", id, e.toString());
    }
  }

  /** Deletes the temporary work directory, once the interrupted tasks have had their commands killed. */
  private void deleteWorkDir() {
    try {
      long deadline = System.nanoTime() + FINAL_RELEASE_WAIT.toNanos();
      if (!slots.awaitTermination(FINAL_RELEASE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
          || !redeliveries.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        log.warn("worker {}: tasks still running after they were interrupted; deleting {} anyway", id, workDir);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.walkFileTree(workDir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException error) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      log.warn("worker {}: could not delete its work directory {}: {}", id, workDir, e.toString());
    }
  }

  // ---- helpers

  /** One queue the worker serves: its receiver, its settler, its last poll when stopping. */
  private static final class Lane {
    final String queue;
    final MessageSettler settler;
    Thread receiver;
    volatile CompletableFuture<?> latePoll = CompletableFuture.completedFuture(null);

    Lane(String queue, MessageSettler settler) {
      this.queue = queue;
      this.settler = settler;
    }
  }

  private void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  private ThreadFactory threads(String role) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "shoal-worker-" + role + "-" + count.incrementAndGet());
      thread.setDaemon(false);
      return thread;
    };
  }
}
