package dev.shoal.dispatcher;

import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.WorkerInstance.State;
import dev.shoal.spi.WorkerInstance;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test double of a {@link ComputeProvider}: it starts nothing, it records what it is asked, and
 * its workers change state only when the test says so ({@link #register}, {@link #exit}), as a
 * real pool's would on their own. A terminated worker stays listed until the test makes it exit,
 * as a process or VM that takes time to die does.
 */
final class RecordingComputeProvider implements ComputeProvider {
  private final Clock clock;
  private final Map<String, WorkerInstance> workers = new LinkedHashMap<>();
  private final List<Integer> launches = new ArrayList<>();
  private final List<String> terminated = new ArrayList<>();
  private int nextId;
  private boolean closed;
  private volatile CountDownLatch listEntered;
  private volatile CountDownLatch listGate;

  RecordingComputeProvider(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized List<WorkerInstance> launch(int count) {
    if (closed) {
      throw new IllegalStateException("provider is closed");
    }
    launches.add(count);
    List<WorkerInstance> launched = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      WorkerInstance worker = new WorkerInstance("w" + ++nextId, State.PENDING, clock.instant());
      workers.put(worker.id(), worker);
      launched.add(worker);
    }
    return launched;
  }

  @Override
  public List<WorkerInstance> list() {
    CountDownLatch gate = listGate;
    if (gate != null) {
      listGate = null;
      listEntered.countDown();
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      return List.copyOf(workers.values());
    }
  }

  @Override
  public synchronized void terminate(Collection<String> workerIds) {
    terminated.addAll(workerIds);
  }

  @Override
  public synchronized void close() {
    closed = true;
    workers.clear();
  }

  /** Makes the next {@link #list()} wait for {@code gate}; the returned latch opens once it waits. */
  CountDownLatch blockNextList(CountDownLatch gate) {
    CountDownLatch entered = new CountDownLatch(1);
    listEntered = entered;
    listGate = gate;
    return entered;
  }

  /** Every pending worker starts polling. */
  synchronized void registerAll() {
    workers.replaceAll((id, worker) -> new WorkerInstance(id, State.RUNNING, worker.launchedAt(), worker.lastSeen()));
  }

  /** This worker shows it is alive, now: its provider reads a heartbeat. */
  synchronized void beat(String id) {
    workers.computeIfPresent(id, (key, worker) -> new WorkerInstance(key, worker.state(), worker.launchedAt(),
        clock.instant()));
  }

  /** A worker leaves, as an idle worker does after its idle timeout, or a terminated one dies. */
  synchronized void exit(String id) {
    workers.remove(id);
  }

  synchronized List<String> ids() {
    return List.copyOf(workers.keySet());
  }

  synchronized int launchedTotal() {
    return launches.stream().mapToInt(Integer::intValue).sum();
  }

  synchronized List<Integer> launches() {
    return List.copyOf(launches);
  }

  synchronized List<String> terminated() {
    return List.copyOf(terminated);
  }

  synchronized boolean closed() {
    return closed;
  }
}
