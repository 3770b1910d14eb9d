package dev.shoal.internal.config;

import dev.shoal.config.ConfigNode;
import dev.shoal.config.ExecutorFactory;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.spi.TaskExecutor;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * {@code type: threads}: a {@link ThreadPoolTaskExecutor}. Keys: {@code threads} (default one per
 * core), {@code threadNamePrefix}.
 */
public final class ThreadsExecutorFactory implements ExecutorFactory {
  @Override
  public String type() {
    return "threads";
  }

  @Override
  public Supplier<TaskExecutor> read(ConfigNode node, String label) {
    OptionalInt threads = node.integer("threads", 1);
    Optional<String> prefix = node.string("threadNamePrefix");
    return () -> {
      ThreadPoolTaskExecutor.Builder builder = ThreadPoolTaskExecutor.builder().label(label);
      threads.ifPresent(builder::threads);
      prefix.ifPresent(builder::threadNamePrefix);
      return builder.build();
    };
  }
}
