package dev.shoal.embedded;

import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.Transport;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.worker.Worker;
import dev.shoal.worker.WorkerConfig;
import dev.shoal.worker.WorkerOptions;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the task queue from the client's own JVM while the worker JVMs the cluster just launched
 * start (seconds for a JVM; milliseconds for this): the same {@link Worker} runtime as theirs, on
 * the cluster's transport and task queue, with the same apps, key and options, but a few slots and
 * a short poll. It starts when the cluster launches workers and none of its workers polls yet, and
 * stops (gracefully: running tasks finish, waiting ones go back to the queue) as soon as one polls.
 *
 * <p>A task that kills its process would kill the client here, so this worker takes only first
 * deliveries ({@link WorkerConfig.Builder#firstDeliveriesOnly(boolean)}): a task that crashed a
 * worker JVM comes back redelivered, and is left to the JVMs.
 *
 * <p>It is not a {@link WorkerInstance} of the pool: the autoscaler never counts it as capacity.
 */
final class InProcessBurst implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InProcessBurst.class);

  private final WorkerOptions options;
  private final Transport transport;
  /** The task queue's address, once the executor has started. */
  private volatile String taskQueue;
  private final EnvelopeSigner signer;
  private final WireCodec codec;
  private final LocalProcessProvider workers;
  /** The worker serving now or last; null before the first launch. Guarded by this. */
  private Worker current;
  private int started;
  private boolean closed;
  private volatile WorkerLifecycle lifecycle = WorkerLifecycle.NONE;

  /**
   * @param options the pool's worker options, with the slots, id and poll this worker runs with
   * @param secret the signing key, or null to run unsigned
   */
  InProcessBurst(WorkerOptions options, Transport transport, String secret, LocalProcessProvider workers) {
    this.options = Objects.requireNonNull(options, "options");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.codec = new WireCodec(JsonCodec.create());
    this.signer = secret == null ? null : EnvelopeSigner.fromSecret(secret, codec);
    this.workers = Objects.requireNonNull(workers, "workers");
    workers.addReadyListener(this::workerPolls);
  }

  /** Tells {@code lifecycle} as in-process workers start and stop, from now on. */
  void lifecycle(WorkerLifecycle lifecycle) {
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
  }

  /** The provider, telling this burst of every launch. */
  ComputeProvider watching(ComputeProvider provider) {
    return new ComputeProvider() {
      @Override
      public List<WorkerInstance> launch(int count) {
        List<WorkerInstance> launched = provider.launch(count);
        if (!launched.isEmpty()) {
          workersLaunched();
        }
        return launched;
      }

      @Override
      public List<WorkerInstance> list() {
        return provider.list();
      }

      @Override
      public void terminate(Collection<String> workerIds) {
        provider.terminate(workerIds);
      }

      @Override
      public void close() {
        provider.close();
      }
    };
  }

  /** Where to serve, once the executor has started (its task queue's address): launches before this are ignored. */
  void serve(String taskQueueAddress) {
    this.taskQueue = Objects.requireNonNull(taskQueueAddress, "taskQueueAddress");
  }

  /** The cluster launched worker JVMs: unless one of them already polls, serve the queue until one does. */
  synchronized void workersLaunched() {
    if (closed || taskQueue == null || (current != null && !current.isTerminated())) {
      return; // serving already, or still stopping: its slots are not needed twice
    }
    // Read under the lock that workerPolls takes: a worker that turns ready after this read stops
    // the worker started below.
    if (workers.list().stream().anyMatch(worker -> worker.state() == WorkerInstance.State.RUNNING)) {
      return;
    }
    started++;
    WorkerOptions serving = options.withQueue(taskQueue)
        .withWorkerId("in-process-" + ProcessHandle.current().pid() + "-" + started);
    current = Worker.start(WorkerConfig.builder(serving).transport(transport).codec(codec).signer(signer)
        .firstDeliveriesOnly(true).build());
    log.info("serving the first tasks in this JVM ({} slots) while worker JVMs start", serving.slots());
    lifecycle.started(serving.workerId(), "in-process burst, " + serving.slots() + " slots");
  }

  /** A worker JVM polls: this one is no longer needed. */
  private synchronized void workerPolls() {
    if (current != null && !current.isTerminated()) {
      log.info("a worker JVM polls: stopping the in-process worker {}", current.id());
      current.shutdown();
      lifecycle.ended(current.id(), "a worker JVM polls");
    }
  }

  /** The in-process worker serving now or last, for tests; null if none ever started. */
  synchronized Worker current() {
    return current;
  }

  /** How many times an in-process worker started. */
  synchronized int started() {
    return started;
  }

  /** Stops the in-process worker, and waits until it has: it must not outlive the cluster. */
  @Override
  public void close() {
    Worker last;
    synchronized (this) {
      closed = true;
      last = current;
    }
    if (last != null) {
      boolean running = !last.isTerminated();
      last.close();
      if (running) {
        lifecycle.ended(last.id(), "the cluster closed");
      }
    }
  }

  @Override
  public String toString() {
    return "InProcessBurst[" + options.queue() + "]";
  }
}
