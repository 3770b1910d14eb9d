package dev.shoal.spi;

/**
 * Runs invocations somewhere: threads in this JVM, or worker processes behind a queue. A kernel
 * owns its executors: it starts them, submits ready tasks, and closes them when it closes.
 */
public interface TaskExecutor extends AutoCloseable {

  /** The name that apps and the kernel's app mapping use to choose this executor. */
  String label();

  /**
   * Called once, by the kernel that owns this executor.
   *
   * @throws IllegalStateException if the executor was already started: an executor serves one kernel
   */
  void start(RunContext context);

  /** Runs the invocation eventually; must not block the caller for long. */
  void submit(Invocation invocation);

  /**
   * Stops taking work. With {@code cancel}, invocations not yet started are failed with a
   * {@link java.util.concurrent.CancellationException} and running ones are interrupted where the
   * executor can; without it, everything submitted still runs.
   */
  void shutdown(boolean cancel);

  /** Waits for the executor's threads and processes to end after {@link #shutdown}. */
  @Override
  void close();
}
