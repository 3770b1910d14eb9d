package dev.shoal.spi;

import java.util.Collection;
import java.util.List;

/**
 * Starts and stops the machines (or processes) that run workers, for one pool. A provider only
 * ever lists and touches the workers of its own pool.
 */
public interface ComputeProvider extends AutoCloseable {

  /** Starts {@code count} workers; they show as {@link WorkerInstance.State#PENDING} until they poll. */
  List<WorkerInstance> launch(int count);

  /** The pool's workers that are pending or running. */
  List<WorkerInstance> list();

  /** Stops these workers (gracefully where the provider can: a worker finishes or releases its tasks). */
  void terminate(Collection<String> workerIds);

  /** Stops every worker of the pool and releases the provider's resources. */
  @Override
  void close();
}
