package dev.shoal.config;

import dev.shoal.spi.Invocation;
import dev.shoal.spi.RunContext;
import dev.shoal.spi.TaskExecutor;
import java.util.function.Supplier;

/**
 * An executor of the configuration, built when its kernel starts it: until then nothing exists
 * (no server, no connection, no worker), so a kernel that fails to build, or a configuration that
 * is only checked, leaves nothing behind.
 */
final class ConfiguredExecutor implements TaskExecutor {
  private final String label;
  private final String type;
  private final String origin;
  private final Supplier<TaskExecutor> recipe;
  private volatile TaskExecutor built;

  /** @param origin where the entry is, for messages: "executors[0] in shoal.yaml line 3" */
  ConfiguredExecutor(String label, String type, String origin, Supplier<TaskExecutor> recipe) {
    this.label = label;
    this.type = type;
    this.origin = origin;
    this.recipe = recipe;
  }

  @Override
  public String label() {
    return label;
  }

  @Override
  public synchronized void start(RunContext context) {
    if (built != null) {
      throw new IllegalStateException("executor " + label + " was already started by run " + context.runId()
          + "'s kernel or another: an executor serves one kernel; configure each kernel from the ShoalConfig");
    }
    TaskExecutor executor;
    try {
      executor = recipe.get();
    } catch (RuntimeException e) {
      throw new IllegalStateException("executor " + label + " (type " + type + ", " + origin + ") could not be built: "
          + e.getMessage(), e);
    }
    if (!executor.label().equals(label)) {
      executor.close();
      throw new IllegalStateException("the " + type + " factory built an executor labelled '" + executor.label()
          + "' for '" + label + "' (" + origin + ")");
    }
    built = executor;
    try {
      executor.start(context);
    } catch (RuntimeException | Error e) {
      // The kernel closes only the executors that started.
      executor.shutdown(true);
      executor.close();
      throw e;
    }
  }

  @Override
  public void submit(Invocation invocation) {
    built.submit(invocation);
  }

  @Override
  public void shutdown(boolean cancel) {
    TaskExecutor executor = built;
    if (executor != null) {
      executor.shutdown(cancel);
    }
  }

  @Override
  public void close() {
    TaskExecutor executor = built;
    if (executor != null) {
      executor.close();
    }
  }

  @Override
  public String toString() {
    TaskExecutor executor = built;
    return executor != null ? executor.toString() : label + " (" + type + ", " + origin + ", not started)";
  }
}
