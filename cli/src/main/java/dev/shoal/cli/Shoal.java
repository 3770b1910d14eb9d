package dev.shoal.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code shoal} command: a program run on a configuration, a worker, the dispatcher's scaling
 * step, the queues' and pool's status, the dead-letter queue, and a run's report and dashboard. Exit statuses: 0 done, 1 what was asked failed, 2 a usage
 * error (picocli's), and a worker's own (see {@code shoal worker --help}).
 */
@Command(name = "shoal", mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = "Runs programs on a configuration; runs and inspects Shoal's queues, workers and pools; reports on runs.",
    subcommands = {RunCommand.class, WorkerCommand.class, DispatchCommand.class, StatusCommand.class, DlqCommand.class,
        ReportCommand.class, DashboardCommand.class,
        CompletionCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Run 'shoal <command> --help' for a command's options."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:done", "1:what was asked failed (a queue unreachable, a step that failed, ...)",
        "2:usage error: unknown option, missing or malformed argument or setting"})
public final class Shoal implements Runnable {
  /** Where logs go and how much: warnings only, but the worker logs what a worker logs. */
  private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    if (System.getProperty(LOG_LEVEL) == null) {
      // Before the first logger exists; stdout stays the command's. A worker is a service, and logs as one.
      System.setProperty(LOG_LEVEL, List.of(args).contains("worker") ? "info" : "warn");
    }
    System.exit(execute(CliContext.system(), args));
  }

  /** Runs one command line in this context; returns its exit status. */
  static int execute(CliContext context, String... args) {
    return commandLine(context).execute(args);
  }

  /** The command tree, its help and its error handling, on this context's streams. */
  static CommandLine commandLine(CliContext context) {
    CommandLine commandLine = new CommandLine(new Shoal(), new CommandFactory(context));
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setOut(new PrintWriter(new OutputStreamWriter(context.out(), StandardCharsets.UTF_8), true));
    commandLine.setErr(new PrintWriter(new OutputStreamWriter(context.err(), StandardCharsets.UTF_8), true));
    commandLine.setExecutionExceptionHandler((error, failed, parsed) -> {
      failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": error: " + Failures.describe(error));
      failed.getErr().flush();
      return CommandLine.ExitCode.SOFTWARE;
    });
    WorkerCommand.configure(commandLine.getSubcommands().get("worker"));
    // Everything after the program is the program's, options included: shoal run Main --tasks 10.
    commandLine.getSubcommands().get("run").setStopAtPositional(true);
    return commandLine;
  }
}
