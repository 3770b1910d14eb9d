package dev.shoal.cli;

import dev.shoal.worker.WorkerMain;
import dev.shoal.worker.WorkerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code shoal worker}: what {@code WorkerMain} does, with its flags. They are parsed by
 * {@link WorkerOptions}, the one reader of a worker's command line (a launcher renders it, a worker
 * reads it), rather than defined a second time here, so the two cannot drift; this command only
 * passes them on, and its help shows the worker's own option list.
 */
@Command(name = "worker", header = "Runs a worker on a task queue: WorkerMain, with its flags.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = {"Runs a worker: long-polls the task queue, runs the apps on its class path (and command apps), "
        + "posts the results. Prints one line with 'ready' once it polls; logs go to stderr. SIGTERM drains it.",
        "Put your app library on the class path with SHOAL_CLASSPATH (bin/shoal adds it)."},
    customSynopsis = "shoal worker --transport <name> [--setting key=value]... --queue <address-or-name> [FLAG]...")
final class WorkerCommand implements Callable<Integer> {
  private final CliContext context;

  @Parameters(paramLabel = "FLAG", arity = "0..*", description = "The worker's flags, below.")
  List<String> flags = new ArrayList<>();

  WorkerCommand(CliContext context) {
    this.context = context;
  }

  /** Every flag picocli does not know (all but --help and --version) goes to the worker as it is. */
  static void configure(CommandLine worker) {
    worker.setUnmatchedOptionsArePositionalParams(true);
    List<String> footer = new ArrayList<>(List.of("", "Worker flags (see WorkerOptions):"));
    for (String line : WorkerOptions.OPTIONS_HELP.split("\n")) {
      footer.add(line.replace("%", "%%")); // footer lines are format strings
    }
    worker.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
  }

  @Override
  public Integer call() {
    return WorkerMain.run("shoal worker", flags.toArray(String[]::new), context.out(), context.err(),
        context.env());
  }
}
