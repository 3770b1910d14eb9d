package dev.shoal.cli;

import dev.shoal.dashboard.Report;
import dev.shoal.taskdb.RunRecord;
import dev.shoal.taskdb.TaskDatabaseReader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code shoal report}: one self-contained HTML file about a run. */
@Command(name = "report", header = "Writes one self-contained HTML report of a run.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = {"Writes the run's summary, timeline per worker, throughput, DAG, statistics per app, failed "
        + "tasks with their errors, workers and scaling decisions into one HTML file that opens from disk, "
        + "with nothing fetched from elsewhere."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:written", "1:no such database or run, or the file could not be written", "2:usage error"})
final class ReportCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin
  MonitoringDatabase database;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write (default: <run>.html).")
  Path output;

  @Parameters(arity = "0..1", paramLabel = "RUN", description = "The run's id (default: the latest run).")
  String runId;

  ReportCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(database.resolve(context))) {
      RunRecord run = Runs.pick(reader, runId);
      Path file = output != null ? output : Path.of(run.runId() + ".html");
      Report.write(reader, run.runId(), file);
      context.out().println("report of run " + run.runId() + ": " + file.toAbsolutePath());
      return 0;
    }
  }
}
