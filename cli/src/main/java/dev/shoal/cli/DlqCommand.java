package dev.shoal.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code shoal dlq}: a queue's dead-letter queue; the work is its subcommands'. */
@Command(name = "dlq", header = "Lists, shows, redrives and purges a queue's dead letters.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = {"Lists, shows, redrives and purges the dead letters of a queue: the tasks workers refused "
        + "(unreadable, forged, unknown app, poison) with the reason each was dead-lettered, and those the queue "
        + "itself moved after too many deliveries.",
        "A listing receives the dead letters and releases them: they stay, one receive more."},
    subcommands = {DlqListCommand.class, DlqShowCommand.class, DlqRedriveCommand.class, DlqPurgeCommand.class})
final class DlqCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a dlq command is required: list, show, redrive "
        + "or purge");
  }
}
