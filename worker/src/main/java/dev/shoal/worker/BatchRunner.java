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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs task bundles that were pushed to it rather than polled: the messages a serverless platform
 * delivers in one invocation (an SQS event source mapping feeding a Lambda function). Same apps,
 * same envelope verification and signing, same results posted to the same reply queues, same
 * dead-letter rules (invalid envelopes, poison by delivery count, a redelivered bundle split into
 * single tasks) as a {@link Worker}; what differs is who holds and deletes the messages: the
 * platform does, so {@link #run} acks nothing and instead says which messages must come back.
 *
 * <p>One runner serves many batches (a warm function keeps it); {@link #close()} stops its threads.
 */
public final class BatchRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);

  private final WorkerConfig config;
  private final String id;
  private final Transport transport;
  private final String queue;
  private final WireCodec codec;
  private final int maxMessageBytes;
  private final EnvelopeSigner signer;
  private final TaskRunner runner;
  private final PayloadStores payloads;
  private final ResultEncoder encoder;
  private final ExecutorService slots;
  private final ScheduledExecutorService timer;

  private BatchRunner(WorkerConfig config) {
    this.config = config;
    this.id = config.options().workerId();
    this.transport = config.transport();
    this.queue = config.options().queue();
    this.codec = config.codec();
    this.maxMessageBytes = transport.limits().maxMessageBytes();
    this.signer = config.signer();
    Path workDir = config.options().workDir();
    try {
      workDir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("shoal-batch-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the work directory " + workDir, e);
    }
    this.payloads = new PayloadStores(config.payloadStore(), config.options().payloadStore(),
        config.options().transportSettings());
    this.runner = new TaskRunner(config.registry(), codec.json(), id, workDir, payloads);
    this.encoder = new ResultEncoder(id, codec, signer, maxMessageBytes, runner, payloads);
    AtomicInteger count = new AtomicInteger();
    this.slots = Executors.newFixedThreadPool(config.options().slots(), run -> daemon(run, "slot-" + count.incrementAndGet()));
    this.timer = Executors.newSingleThreadScheduledExecutor(run -> daemon(run, "timer"));
  }

  /** A runner for the queue, apps, key and payload store the config names; its transport stays the caller's. */
  public static BatchRunner create(WorkerConfig config) {
    return new BatchRunner(config);
  }

  public String id() {
    return id;
  }

  /**
   * Runs every task of the messages and posts their results, then returns the messages that must
   * be delivered again: those a result of which could not be posted (after retrying for up to
   * three quarters of the time limit), that could not be split, or that were not settled within
   * the time limit. Every other message is done with, and the caller's platform deletes it: all
   * its results were posted, or it was dead-lettered (copied to the queue's dead-letter queue with
   * the reason, best effort, its clients told where they can be trusted), or split into single
   * tasks sent anew.
   */
  public List<ReceivedMessage> run(List<ReceivedMessage> messages, Duration timeLimit) {
    long start = System.nanoTime();
    long postDeadline = start + timeLimit.toNanos() / 4 * 3;
    Batch batch = new Batch(() -> System.nanoTime() - postDeadline > 0);
    Map<ReceivedMessage, CompletableFuture<Boolean>> outcomes = new LinkedHashMap<>();
    // The platform leased the messages when it received them, for the queue's visibility timeout
    // (which may be about the function's own timeout): renewed as a polling worker renews it, so
    // that a batch still running is never handed to another worker meanwhile.
    long period = Math.max(1, config.options().lease().toMillis() / 3);
    ScheduledFuture<?> leaseTicks = timer.scheduleWithFixedDelay(batch::extendLeases, period, period,
        TimeUnit.MILLISECONDS);
    try {
      return settle(batch, messages, outcomes, start, timeLimit);
    } finally {
      leaseTicks.cancel(false);
    }
  }

  private List<ReceivedMessage> settle(Batch batch, List<ReceivedMessage> messages,
      Map<ReceivedMessage, CompletableFuture<Boolean>> outcomes, long start, Duration timeLimit) {
    Instant received = Instant.now();
    for (ReceivedMessage message : messages) {
      outcomes.put(message, batch.intake(message, received));
    }
    List<ReceivedMessage> again = new ArrayList<>();
    long deadline = start + timeLimit.toNanos();
    for (Map.Entry<ReceivedMessage, CompletableFuture<Boolean>> outcome : outcomes.entrySet()) {
      boolean comesBack;
      try {
        comesBack = outcome.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        log.warn("worker {}: message {} not settled within {}; it comes back", id, outcome.getKey().id(), timeLimit);
        comesBack = true;
      } catch (ExecutionException e) {
        log.error("worker {}: message {} failed inside the worker", id, outcome.getKey().id(), e.getCause());
        comesBack = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        comesBack = true;
      }
      if (comesBack) {
        again.add(outcome.getKey());
      }
    }
    return again;
  }

  @Override
  public void close() {
    slots.shutdownNow();
    timer.shutdown();
    payloads.close();
  }

  @Override
  public String toString() {
    return "BatchRunner[" + id + " on " + queue + "]";
  }

  /** The bookkeeping of one delivered batch: its results' lanes, its settler, what each message came to. */
  private final class Batch {
    private final Map<HeldMessage, CompletableFuture<Boolean>> held = new ConcurrentHashMap<>();
    private final MessageSettler settler;
    private final ResultPublisher results;
    private final TaskIntake intake;

    Batch(BooleanSupplier late) {
      this.settler = new MessageSettler(id, transport, queue, codec, timer, config.postRetryLimit(), late,
          this::forget, true);
      this.results = new ResultPublisher(transport, timer, config.postRetryLimit(), late, this::posted, this::givenUp);
      this.intake = new TaskIntake(id, codec, signer, runner, config.options().maxDeliveries(), new TaskIntake.Host() {
        @Override
        public void publish(HeldMessage one, String reply, ResultEnvelope result, boolean required, boolean byRef) {
          Batch.this.publish(one, reply, result, required, byRef);
        }

        @Override
        public void schedule(HeldMessage one, TaskEnvelope task, int index) {
          slots.execute(new TaskRun(one, task, index, run -> intake.run(run)));
        }

        @Override
        public void letGo(HeldMessage one) {
          settler.letGo(one);
        }
      });
    }

    /** What becomes of the message: true when it must come back. */
    CompletableFuture<Boolean> intake(ReceivedMessage message, Instant received) {
      Decoded<TaskEnvelope> decoded;
      try {
        decoded = codec.decodeTasks(message.body(), maxMessageBytes, signer);
      } catch (InvalidEnvelopeException e) {
        log.warn("worker {}: message {} is unreadable, dead-lettering it: {}", id, message.id(), e.getMessage());
        return settler.deadLetterUnheld(message, e.getMessage()).thenApply(ignored -> false);
      }
      int size = decoded.envelopes().size() + decoded.rejected().size();
      if (size == 0) {
        log.warn("worker {}: message {} is a bundle of no tasks, dead-lettering it", id, message.id());
        return settler.deadLetterUnheld(message, "the task bundle holds no tasks").thenApply(ignored -> false);
      }
      if (size > 1 && message.receiveCount() > 1) {
        return split(message, size);
      }
      HeldMessage one = new HeldMessage(message, received, size);
      CompletableFuture<Boolean> outcome = new CompletableFuture<>();
      held.put(one, outcome);
      try {
        intake.take(one, decoded);
      } catch (RuntimeException e) {
        log.error("worker {}: could not take in message {}", id, message.id(), e);
        one.markUnposted();
      }
      if (one.arrive()) {
        settler.settle(one);
      }
      return outcome;
    }

    private void publish(HeldMessage one, String reply, ResultEnvelope result, boolean required, boolean byRef) {
      results.post(reply, encoder.encode(result, byRef), one, required);
    }

    /** Renews the lease of every message still held; a failure is logged, the next tick tries again. */
    void extendLeases() {
      try {
        List<ReceivedMessage> leased = held.keySet().stream().filter(one -> !one.isLetGo()).map(one -> one.message)
            .toList();
        if (leased.isEmpty()) {
          return;
        }
        MessageSettler.call(() -> transport.extendLease(queue, leased, config.options().lease()))
            .whenComplete((ignored, error) -> {
              if (error == null) {
                return;
              }
              // Expected when a message was settled while the extension was on its way: its receipt is spent.
              boolean raced = leased.stream().anyMatch(m -> held.keySet().stream().noneMatch(h -> h.message == m));
              if (raced) {
                log.debug("worker {}: extending leases raced a settlement: {}", id, error.toString());
              } else {
                log.warn("worker {}: extending the leases of {} message(s) failed: {}", id, leased.size(),
                    error.toString());
              }
            });
      } catch (RuntimeException e) {
        // On the timer: a periodic task that throws is never run again.
        log.error("worker {}: lease extension failed", id, e);
      }
    }

    /** Re-sends each envelope as a bundle of its own, as a {@link Worker} does with a redelivered bundle. */
    private CompletableFuture<Boolean> split(ReceivedMessage message, int size) {
      JsonNode items = MessageSettler.bundleItems(codec, message.body());
      List<byte[]> singles = new ArrayList<>(size);
      for (JsonNode item : items) {
        singles.add(settler.single(item));
      }
      log.info("worker {}: message {} of {} tasks is on delivery {}; splitting it into single tasks", id,
          message.id(), size, message.receiveCount());
      return MessageSettler.call(() -> transport.send(queue, singles)).handle((ignored, error) -> {
        if (error != null) {
          log.warn("worker {}: could not split message {}: {}", id, message.id(), error.toString());
        }
        return error != null;
      });
    }

    private void posted(ResultPublisher.Pending result) {
      settler.arrive(result.owner());
    }

    private void givenUp(ResultPublisher.Pending result) {
      settler.givenUp(result);
    }

    private void forget(HeldMessage one) {
      CompletableFuture<Boolean> outcome = held.remove(one);
      if (outcome != null) {
        outcome.complete(one.incomplete() || one.unposted());
      }
    }
  }

  private Thread daemon(Runnable run, String role) {
    Thread thread = new Thread(run, "shoal-batch-" + role);
    thread.setDaemon(true);
    return thread;
  }
}
