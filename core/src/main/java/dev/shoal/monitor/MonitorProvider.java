package dev.shoal.monitor;

import java.util.List;
import java.util.ServiceLoader;

/**
 * Makes the listeners a configuration asks for; found with {@link ServiceLoader}, so that a
 * program configured by file gets the task database, metrics and progress bar when
 * {@code shoal-monitor} is on its class path, and a clear error when it is not.
 */
public interface MonitorProvider {

  /** The listeners for these settings, each new; the kernel that gets them closes them. */
  List<RunListener> listeners(MonitorSettings settings);

  /** The provider on the class path, if any. */
  static java.util.Optional<MonitorProvider> find() {
    return ServiceLoader.load(MonitorProvider.class).findFirst();
  }
}
