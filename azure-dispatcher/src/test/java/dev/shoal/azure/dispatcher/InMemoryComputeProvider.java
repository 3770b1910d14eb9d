package dev.shoal.azure.dispatcher;

import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.spi.WorkerInstance.State;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pool of workers that exist only in this object: launched workers are pending until the test
 * says they poll ({@link #polls}); terminated ones are gone at once. It counts how often it was
 * listed, which is how a test sees that an evaluation ran at all.
 */
final class InMemoryComputeProvider implements ComputeProvider {
  private final Clock clock;
  private final Map<String, WorkerInstance> workers = new LinkedHashMap<>();
  private final List<String> terminated = new ArrayList<>();
  private int launched;
  private int listings;
  private boolean closed;

  InMemoryComputeProvider(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized List<WorkerInstance> launch(int count) {
    if (closed) {
      throw new IllegalStateException("the pool is closed");
    }
    List<WorkerInstance> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      WorkerInstance worker = new WorkerInstance("vm-" + ++launched, State.PENDING, clock.instant());
      workers.put(worker.id(), worker);
      started.add(worker);
    }
    return started;
  }

  @Override
  public synchronized List<WorkerInstance> list() {
    listings++;
    return List.copyOf(workers.values());
  }

  @Override
  public synchronized void terminate(Collection<String> workerIds) {
    for (String id : workerIds) {
      if (workers.remove(id) != null) {
        terminated.add(id);
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    terminate(List.copyOf(workers.keySet()));
  }

  /** The worker started polling its queue. */
  synchronized void polls(String id) {
    WorkerInstance worker = workers.get(id);
    workers.put(id, new WorkerInstance(id, State.RUNNING, worker.launchedAt()));
  }

  synchronized List<WorkerInstance> workers() {
    return List.copyOf(workers.values());
  }

  synchronized List<String> terminated() {
    return List.copyOf(terminated);
  }

  synchronized int listings() {
    return listings;
  }

  @Override
  public String toString() {
    return "InMemoryComputeProvider";
  }
}
