package dev.shoal.config;

import dev.shoal.monitor.MonitorSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code monitoring:} section: what watches a run configured by file, made by the
 * {@link dev.shoal.monitor.MonitorProvider} on the class path ({@code shoal-monitor}).
 *
 * @param database {@code monitoring.database}: a file, {@code off}, or not given (the default:
 *     {@code monitoring.db} in the run folder's parent, the {@code runDir}, where {@code shoal
 *     report} and {@code shoal dashboard} look, whenever {@code shoal-monitor} is on the class path)
 * @param prometheusPort {@code monitoring.prometheus}: the port of a Prometheus endpoint on loopback
 * @param progress {@code monitoring.progress}: one of {@link #PROGRESS_MODES} (default {@code auto}:
 *     a bar when standard error is a terminal)
 */
public record MonitoringConfig(Database database, OptionalInt prometheusPort, String progress) {
  public static final List<String> PROGRESS_MODES = MonitorSettings.PROGRESS_MODES;
  /** The task database's file name in the runs' folder, unless configured otherwise. */
  public static final String DEFAULT_DATABASE = "monitoring.db";

  public MonitoringConfig {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(prometheusPort, "prometheusPort");
    if (!PROGRESS_MODES.contains(progress)) {
      throw new IllegalArgumentException("progress must be one of " + PROGRESS_MODES + ": " + progress);
    }
  }

  /** No section: the defaults. */
  public static MonitoringConfig defaults() {
    return new MonitoringConfig(Database.DEFAULT, OptionalInt.empty(), "auto");
  }

  /** What the section asks for, for a kernel whose runs go under {@code runDir}. */
  public MonitorSettings settings(Path runDir) {
    Optional<Path> file = switch (database.choice()) {
      case DEFAULT -> Optional.of(runDir.resolve(DEFAULT_DATABASE));
      case FILE -> database.file();
      case OFF -> Optional.empty();
    };
    return new MonitorSettings(file, prometheusPort, progress);
  }

  /** Whether the section asks for something beyond the defaults, which only {@code shoal-monitor} can give. */
  public boolean asksExplicitly() {
    return database.choice() == Choice.FILE || prometheusPort.isPresent() || progress.equals("bar")
        || progress.equals("log");
  }

  public enum Choice {
    DEFAULT,
    FILE,
    OFF
  }

  /** {@code monitoring.database}: the default, a file, or none. */
  public record Database(Choice choice, Optional<Path> file) {
    public static final Database DEFAULT = new Database(Choice.DEFAULT, Optional.empty());
    public static final Database OFF = new Database(Choice.OFF, Optional.empty());

    public Database {
      Objects.requireNonNull(choice, "choice");
      Objects.requireNonNull(file, "file");
      if (file.isPresent() != (choice == Choice.FILE)) {
        throw new IllegalArgumentException("a file is given exactly when the choice is FILE: " + choice + ", " + file);
      }
    }

    public static Database at(Path file) {
      return new Database(Choice.FILE, Optional.of(file));
    }
  }
}
