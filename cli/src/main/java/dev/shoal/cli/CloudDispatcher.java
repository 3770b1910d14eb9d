package dev.shoal.cli;

import dev.shoal.dispatcher.ScalingReport;
import dev.shoal.spi.Transport;
import dev.shoal.spi.WorkerInstance;
import java.util.List;

/**
 * A cloud's dispatcher, as its function hosts it (the Lambda's, the Function's), run from the
 * command line: one scaling step a call, the pool it scales, and the queues it reads. Closing it
 * closes its clients and never stops the pool.
 */
interface CloudDispatcher extends AutoCloseable {
  ScalingReport evaluate();

  List<WorkerInstance> pool();

  /** The pool's name (AWS) or scale set (Azure). */
  String poolName();

  Transport transport();

  /** The task queue, as configured (a name or an address). */
  String taskQueue();

  /** The VM-only queue; null for none. */
  String vmQueue();

  @Override
  void close();
}
