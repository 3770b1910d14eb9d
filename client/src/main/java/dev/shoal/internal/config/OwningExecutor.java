package dev.shoal.internal.config;

import dev.shoal.spi.Invocation;
import dev.shoal.spi.RunContext;
import dev.shoal.spi.TaskExecutor;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An executor and the parts it uses but does not close (a queue executor's transport and payload
 * store): a configuration makes them for it, so they close with it, after it.
 */
public final class OwningExecutor implements TaskExecutor {
  private static final Logger log = LoggerFactory.getLogger(OwningExecutor.class);
  private final TaskExecutor executor;
  private final List<AutoCloseable> owned;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** @param owned closed in this order, after the executor */
  public OwningExecutor(TaskExecutor executor, List<AutoCloseable> owned) {
    this.executor = executor;
    this.owned = List.copyOf(owned);
  }

  /** The executor itself, for its counters. */
  public TaskExecutor executor() {
    return executor;
  }

  @Override
  public String label() {
    return executor.label();
  }

  @Override
  public void start(RunContext context) {
    try {
      executor.start(context);
    } catch (RuntimeException | Error e) {
      // The kernel closes only the executors that started.
      close();
      throw e;
    }
  }

  @Override
  public void submit(Invocation invocation) {
    executor.submit(invocation);
  }

  @Override
  public void shutdown(boolean cancel) {
    executor.shutdown(cancel);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.close();
    } finally {
      closeAll(owned);
    }
  }

  /** Closes each, logging rather than stopping at a failure. */
  public static void closeAll(List<AutoCloseable> parts) {
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", part, e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return executor.toString();
  }
}
