package dev.shoal.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The task database a command reads: {@code --db}, else {@code $SHOAL_MONITORING_DATABASE} (the
 * variable that sets {@code monitoring.database} in a configuration), else where a configured run
 * writes it by default, {@code runinfo/monitoring.db}.
 */
final class MonitoringDatabase {
  static final String VARIABLE = "SHOAL_MONITORING_DATABASE";
  static final Path DEFAULT = Path.of("runinfo", "monitoring.db");

  @Option(names = "--db", paramLabel = "FILE",
      description = "The task database (default: $" + VARIABLE + ", else runinfo/monitoring.db).")
  Path file;

  Path resolve(CliContext context) {
    if (file != null) {
      return file;
    }
    String variable = context.variable(VARIABLE);
    return variable != null ? Path.of(variable) : DEFAULT;
  }
}
