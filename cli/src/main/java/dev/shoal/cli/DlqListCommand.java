package dev.shoal.cli;

import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ReceivedMessage;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code shoal dlq list}: the dead letters, one line each, with why each is there. */
@Command(name = "list", header = "Lists the dead letters, with why each is there.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = "Lists the dead letters of the queue: id, receives, how many tasks and their ids, apps, and the "
        + "reason each was dead-lettered ('shoal dlq show' has every task).")
final class DlqListCommand implements Callable<Integer> {
  private static final int REASON_CHARS = 100;
  private static final int TASK_IDS_CHARS = 24;

  private final CliContext context;

  @Mixin
  QueueServiceOptions service;

  @Option(names = "--max", paramLabel = "N", defaultValue = "1000",
      description = "List at most N dead letters (default: ${DEFAULT-VALUE}).")
  int max;

  @Option(names = "--json", description = "Print the dead letters as JSON, each with its envelopes.")
  boolean json;

  DlqListCommand(CliContext context) {
    this.context = context;
  }

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    if (max < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--max must be at least 1");
    }
    WireCodec codec = DeadLetter.codec();
    try (DeadLetterQueue queue = DeadLetterQueue.open(service, context)) {
      List<ReceivedMessage> held = queue.look(max, letter -> false);
      List<DeadLetter> letters = held.stream().map(letter -> DeadLetter.of(letter, codec)).toList();
      if (json) {
        context.out().println(Json.write(letters));
        return 0;
      }
      if (letters.isEmpty()) {
        context.out().println("no dead letters in " + queue.address());
        return 0;
      }
      Table table = new Table("ID", ">RECEIVES", ">TASKS", "TASK IDS", "APPS", "REASON");
      for (DeadLetter letter : letters) {
        table.row(letter.id(), letter.receives(), letter.count(), Table.cut(letter.tasks(), TASK_IDS_CHARS),
            letter.kind().equals("unreadable") ? "(unreadable)" : letter.apps(),
            letter.reason() == null ? "(none recorded: moved by the queue after too many deliveries?)"
                : Table.cut(letter.reason(), REASON_CHARS));
      }
      table.print(context.out());
      context.out().println(letters.size() + " dead letter(s) in " + queue.address()
          + (letters.size() >= max ? " (the first " + max + "; --max for more)" : ""));
      return 0;
    }
  }
}
