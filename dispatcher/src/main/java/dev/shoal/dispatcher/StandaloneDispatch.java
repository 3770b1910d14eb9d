package dev.shoal.dispatcher;

import dev.shoal.spi.Transport;
import dev.shoal.spi.WorkerInstance;
import java.util.List;

/**
 * A cloud's dispatcher, as its function hosts it (the Lambda's, the Function's), run outside that
 * host (by {@code shoal dispatch} and {@code shoal status}): one scaling step a call, the pool it
 * scales, and the queues it reads. Closing it closes its clients and never stops the pool.
 */
public interface StandaloneDispatch extends AutoCloseable {
  /** One evaluation, as one invocation of the function makes it. */
  ScalingReport evaluate();

  /** The pool's workers, pending or running. */
  List<WorkerInstance> pool();

  /** The pool's name (AWS) or scale set (Azure). */
  String poolName();

  /** The transport the step reads the queues with. */
  Transport transport();

  /** The task queue, as configured (a name or an address). */
  String taskQueue();

  /** The VM-only queue; null for none. */
  String vmQueue();

  @Override
  void close();
}
