package dev.shoal.monitor;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What watchers a run asks for, as its configuration says ({@code monitoring:} in
 * {@code shoal.yaml}).
 *
 * @param database the task database's file; empty for none
 * @param prometheusPort the port of a Prometheus endpoint on loopback; empty for none
 * @param progress {@code auto} (a bar when standard error is a terminal), {@code bar} (always),
 *     {@code log} (a log line every few seconds, for CI logs) or {@code off}
 */
public record MonitorSettings(Optional<Path> database, OptionalInt prometheusPort, String progress) {
  public static final List<String> PROGRESS_MODES = List.of("auto", "bar", "log", "off");

  public MonitorSettings {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(prometheusPort, "prometheusPort");
    if (!PROGRESS_MODES.contains(progress)) {
      throw new IllegalArgumentException("progress must be one of " + PROGRESS_MODES + ", not " + progress);
    }
  }

  /** Whether anything is asked for at all. */
  public boolean any() {
    return database.isPresent() || prometheusPort.isPresent() || !progress.equals("off");
  }
}
