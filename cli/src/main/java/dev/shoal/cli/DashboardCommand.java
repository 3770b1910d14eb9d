package dev.shoal.cli;

import dev.shoal.dashboard.Dashboard;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code shoal dashboard}: the task database in a browser, until interrupted. */
@Command(name = "dashboard", header = "Serves the dashboard of the task database's runs until interrupted.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = {"Serves a page of the runs in the task database: tasks by state, a timeline per worker, "
        + "throughput, the DAG, the task table with each failed task's error, workers and scaling decisions; it "
        + "refreshes while a run goes on. It listens on 127.0.0.1 only unless --bind says otherwise, and has no "
        + "login: keep it there, or behind a proxy that has one."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:stopped", "1:it could not serve (the port in use, ...)", "2:usage error"})
final class DashboardCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin
  MonitoringDatabase database;

  @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "8080",
      description = "The port (default: ${DEFAULT-VALUE}; 0: any free port).")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS",
      description = "The address to listen on (default: the loopback address).")
  String bind;

  DashboardCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("--port must be 0 to 65535, not " + port);
    }
    Dashboard.Builder builder = Dashboard.builder().database(database.resolve(context)).port(port);
    if (bind != null) {
      builder.bindAddress(bind);
    }
    try (Dashboard dashboard = builder.build()) {
      context.out().println("dashboard of " + database.resolve(context).toAbsolutePath() + " at " + dashboard.url()
          + " (Ctrl-C to stop)");
      context.out().flush();
      new CountDownLatch(1).await();
    } catch (InterruptedException stopped) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
