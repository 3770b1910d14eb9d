package dev.shoal.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.List;

/**
 * The {@code monitoring:} section, read and checked but not yet acted on by the kernel.
 *
 * @param database where a monitoring database would be kept ({@code monitoring.database})
 * @param prometheusPort the port a Prometheus endpoint would listen on ({@code monitoring.prometheus})
 * @param progress how progress would be shown: one of {@link #PROGRESS_MODES} ({@code monitoring.progress},
 *     default {@code none})
 */
public record MonitoringConfig(Optional<Path> database, OptionalInt prometheusPort, String progress) {
  public static final List<String> PROGRESS_MODES = List.of("none", "log", "bar");

  public MonitoringConfig {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(prometheusPort, "prometheusPort");
    Objects.requireNonNull(progress, "progress");
    if (!PROGRESS_MODES.contains(progress)) {
      throw new IllegalArgumentException("progress must be one of " + PROGRESS_MODES + ": " + progress);
    }
  }

  /** No section: nothing to monitor. */
  public static MonitoringConfig none() {
    return new MonitoringConfig(Optional.empty(), OptionalInt.empty(), "none");
  }
}
