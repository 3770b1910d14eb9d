package dev.shoal.config;

import dev.shoal.spi.TaskExecutor;
import java.util.function.Supplier;

/**
 * Builds the executors of one {@code type} of a configuration's {@code executors:} list. Found with
 * {@link java.util.ServiceLoader} (list the class in {@code
 * META-INF/services/dev.shoal.config.ExecutorFactory}), so that the client needs no module of the
 * executors it can be configured with: {@code threads} and {@code queue} come with the client,
 * {@code local} with shoal-embedded.
 */
public interface ExecutorFactory {

  /** The {@code type:} value this factory serves, such as "local". */
  String type();

  /**
   * Reads and checks this executor's keys from its entry, and returns how to build it.
   *
   * <p>Read every key here, and only here: the configuration is checked for keys that nothing read
   * once every factory has read, and reading it afterwards fails. A bad value fails with
   * {@link ConfigNode#error}, which names the key, the file and the line. Start nothing here (no
   * server, no connection): the supplier runs when a kernel starts the executor, and again for each
   * kernel configured from the same {@link ShoalConfig}, each time for a new executor.
   *
   * @param node the executor's entry ({@code type} and {@code label} are already read)
   * @param label the executor's label, its {@code label:} or else its type
   */
  Supplier<TaskExecutor> read(ConfigNode node, String label);
}
