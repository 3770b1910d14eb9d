package dev.shoal.cli;

import dev.shoal.spi.ReceivedMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code shoal dlq redrive}: dead letters back to their queue, for the workers to try again. */
@Command(name = "redrive", header = "Sends dead letters back to their queue.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = {"Sends dead letters back to the queue (each is sent, then deleted from the dead-letter queue), "
        + "where workers take them again as new messages.",
        "A client still waiting for those tasks gets their results; one that gave up drops them."})
final class DlqRedriveCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec
  CommandSpec spec;

  @Mixin
  QueueServiceOptions service;

  @Option(names = "--all", description = "Every dead letter.")
  boolean all;

  @Parameters(paramLabel = "ID", arity = "0..*", description = "The dead letters' message ids.")
  List<String> ids = new ArrayList<>();

  DlqRedriveCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (all == !ids.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), all ? "give --all or message ids, not both"
          : "give the dead letters' ids, or --all");
    }
    Set<String> wanted = new LinkedHashSet<>(ids);
    try (DeadLetterQueue queue = DeadLetterQueue.open(service, context)) {
      Set<String> seen = new LinkedHashSet<>();
      List<ReceivedMessage> held = queue.hold(Integer.MAX_VALUE, letter -> {
        if (wanted.contains(letter.id())) {
          seen.add(letter.id());
        }
        return !all && seen.containsAll(wanted);
      });
      List<ReceivedMessage> chosen = held.stream().filter(letter -> all || wanted.contains(letter.id())).toList();
      queue.redrive(chosen);
      context.out().println("redrove " + chosen.size() + " dead letter(s) to " + queue.queue());
      Set<String> missing = new LinkedHashSet<>(wanted);
      chosen.forEach(letter -> missing.remove(letter.id()));
      for (String id : missing) {
        context.err().println("shoal dlq redrive: no dead letter " + id + " in " + queue.address());
      }
      return missing.isEmpty() ? 0 : 1;
    }
  }
}
