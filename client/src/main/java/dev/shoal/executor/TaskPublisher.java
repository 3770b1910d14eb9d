package dev.shoal.executor;

import dev.shoal.executor.TaskEncoder.Outgoing;
import dev.shoal.internal.wire.BundleWriter;
import dev.shoal.spi.PublishListener;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends encoded tasks to the task queue from a thread of its own, bundling adaptively: whatever
 * piled up while earlier sends were in flight goes out together, packed to the transport's limits,
 * and a lone task on an idle queue goes out at once. A send that fails is retried with backoff
 * (the queue may be briefly gone or throttling) until the retry timeout, then its tasks fail.
 */
final class TaskPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskPublisher.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final Duration IDLE_CHECK = Duration.ofMillis(100);

  /** Told about tasks that could not be published. */
  interface Failure {
    void failed(Outgoing task, Throwable error);
  }

  /** Told about tasks once they are on the queue, on the transport's I/O thread: keep it quick. */
  interface Sent {
    Sent NONE = task -> {};

    void sent(Outgoing task);
  }

  private final String label;
  private final Transport transport;
  private final String queue;
  private final BundleWriter bundles;
  private final int maxTasksPerMessage;
  private final IntSupplier consumers;
  private final int maxDrain;
  private final Duration retryTimeout;
  private final ScheduledExecutorService timer;
  private final PublishListener published;
  private final Failure failure;
  private final Sent sent;
  private final Semaphore sendPermits;
  private final BlockingQueue<Outgoing> outbox = new LinkedBlockingQueue<>();
  private final LongAdder messagesSent = new LongAdder();
  private final LongAdder tasksSent = new LongAdder();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param maxTasksPerMessage the most tasks bundled into one message
   * @param consumers how many consumers are ready to take messages, read at each send; 0 or less
   *     when unknown
   * @param maxSendsInFlight send requests in flight at once; tasks ready meanwhile fill the next bundles
   * @param published told each time tasks were published, on an I/O thread
   */
  TaskPublisher(String label, Transport transport, String queue, int maxTasksPerMessage, IntSupplier consumers,
      int maxSendsInFlight, Duration retryTimeout, ScheduledExecutorService timer, PublishListener published,
      Failure failure) {
    this(label, transport, queue, maxTasksPerMessage, consumers, maxSendsInFlight, retryTimeout, timer, published,
        failure, Sent.NONE);
  }

  /** @param sent told of each task once it is on the queue */
  TaskPublisher(String label, Transport transport, String queue, int maxTasksPerMessage, IntSupplier consumers,
      int maxSendsInFlight, Duration retryTimeout, ScheduledExecutorService timer, PublishListener published,
      Failure failure, Sent sent) {
    this.label = label;
    this.transport = transport;
    this.queue = queue;
    this.bundles = BundleWriter.tasks(transport.limits().maxMessageBytes(), maxTasksPerMessage);
    this.maxTasksPerMessage = maxTasksPerMessage;
    this.consumers = consumers;
    // One drain fills at most one send request's worth of full messages.
    this.maxDrain = (int) Math.min(Integer.MAX_VALUE, (long) maxTasksPerMessage * transport.limits().maxSendBatch());
    this.retryTimeout = retryTimeout;
    this.timer = timer;
    this.published = published;
    this.failure = failure;
    this.sent = sent;
    this.sendPermits = new Semaphore(maxSendsInFlight);
    this.thread = new Thread(this::publishLoop, "shoal-" + label + "-publisher");
    thread.setDaemon(true);
  }

  /** The largest encoded task that fits a message on its own. */
  static int maxEnvelopeBytes(Transport transport) {
    return BundleWriter.tasks(transport.limits().maxMessageBytes(), 1).maxEnvelopeBytes();
  }

  void start() {
    thread.start();
  }

  void publish(Outgoing task) {
    outbox.add(task);
  }

  /** Drops the tasks not sent yet (their attempts are failed by whoever cancels them). */
  void discardUnsent() {
    outbox.clear();
  }

  long messagesSent() {
    return messagesSent.sum();
  }

  long tasksSent() {
    return tasksSent.sum();
  }

  /** Sends what is waiting, then stops; sends still being retried give up at once. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void publishLoop() {
    List<Outgoing> drained = new ArrayList<>();
    while (running || !outbox.isEmpty()) {
      try {
        Outgoing first = outbox.poll(IDLE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        sendPermits.acquire();
        drained.add(first);
        outbox.drainTo(drained, maxDrain - 1);
        send(pack(drained), System.nanoTime(), FIRST_BACKOFF);
        drained = new ArrayList<>();
      } catch (InterruptedException e) {
        if (!running) {
          return;
        }
      } catch (RuntimeException e) {
        // Never let the loop die: the tasks it held would wait for ever.
        log.error("executor {}: publishing failed", label, e);
        sendPermits.release();
        drained.forEach(task -> failure.failed(task, e));
        drained = new ArrayList<>();
      }
    }
  }

  /**
   * Packs tasks into as few messages as the limits allow, but never fewer than there are consumers
   * ready (when known): a bundle goes whole to one consumer, so a burst packed tighter would leave
   * the others idle. The tasks are then shared evenly among the messages.
   */
  List<BundleWriter.Bundle<Outgoing>> pack(List<Outgoing> tasks) {
    int fewest = (int) Math.ceil(tasks.size() / (double) maxTasksPerMessage);
    int wanted = Math.min(tasks.size(), consumerCount());
    if (wanted <= fewest) {
      return bundles.pack(tasks, Outgoing::bytes);
    }
    List<BundleWriter.Bundle<Outgoing>> packed = new ArrayList<>(wanted);
    int from = 0;
    for (int i = 0; i < wanted; i++) {
      // The first (size % wanted) messages take one task more.
      int to = from + tasks.size() / wanted + (i < tasks.size() % wanted ? 1 : 0);
      packed.addAll(bundles.pack(tasks.subList(from, to), Outgoing::bytes));
      from = to;
    }
    return packed;
  }

  private int consumerCount() {
    try {
      return consumers.getAsInt();
    } catch (RuntimeException e) {
      log.debug("executor {}: the consumer count is unknown: {}", label, e.toString());
      return 0;
    }
  }

  /** Sends bundles; holds one send permit, released when the send settles. */
  private void send(List<BundleWriter.Bundle<Outgoing>> packed, long firstTry, Duration backoff) {
    List<byte[]> bodies = new ArrayList<>(packed.size());
    int tasks = 0;
    for (BundleWriter.Bundle<Outgoing> bundle : packed) {
      bodies.add(bundle.body());
      tasks += bundle.items().size();
    }
    int taskCount = tasks;
    transport.send(queue, bodies).whenComplete((ok, error) -> {
      if (error == null) {
        messagesSent.add(bodies.size());
        tasksSent.add(taskCount);
        sendPermits.release();
        published.published(taskCount, bodies.size());
        if (sent != Sent.NONE) {
          packed.forEach(bundle -> bundle.items().forEach(sent::sent));
        }
        return;
      }
      Throwable cause = error instanceof CompletionException ? error.getCause() : error;
      boolean retryable = !(cause instanceof TransportException te) || te.retryable();
      if (!retryable || !running || System.nanoTime() - firstTry > retryTimeout.toNanos()) {
        sendPermits.release();
        TransportException failed = new TransportException("could not publish to " + queue
            + (retryable ? " within " + retryTimeout : "") + ": " + cause.getMessage(), cause, false);
        packed.forEach(bundle -> bundle.items().forEach(task -> failure.failed(task, failed)));
        return;
      }
      log.warn("executor {}: publishing {} tasks failed, retrying in {}: {}", label, taskCount, backoff,
          cause.toString());
      Duration next = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      timer.schedule(() -> send(packed, firstTry, next), backoff.toMillis(), TimeUnit.MILLISECONDS);
    });
  }
}
