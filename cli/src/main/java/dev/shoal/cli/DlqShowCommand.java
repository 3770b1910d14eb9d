package dev.shoal.cli;

import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ReceivedMessage;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code shoal dlq show <id>}: one dead letter, its reason and every envelope in it. */
@Command(name = "show", header = "Shows one dead letter and the tasks in it.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = "Shows one dead letter: why it is there, and its tasks (id, run, app, attempt, reply queue, "
        + "arguments), decoded as a worker would decode them; a body that is no bundle is shown as such.")
final class DlqShowCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin
  QueueServiceOptions service;

  @Parameters(paramLabel = "ID", description = "The dead letter's message id, as 'shoal dlq list' shows it.")
  String id;

  @Option(names = "--json", description = "Print it as JSON, arguments whole.")
  boolean json;

  DlqShowCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    WireCodec codec = DeadLetter.codec();
    try (DeadLetterQueue queue = DeadLetterQueue.open(service, context)) {
      List<ReceivedMessage> held = queue.look(Integer.MAX_VALUE, letter -> letter.id().equals(id));
      ReceivedMessage found = held.stream().filter(letter -> letter.id().equals(id)).findFirst().orElse(null);
      if (found == null) {
        context.err().println("shoal dlq show: no dead letter " + id + " in " + queue.address() + " ("
            + held.size() + " there)");
        return 1;
      }
      DeadLetter letter = DeadLetter.of(found, codec);
      if (json) {
        context.out().println(Json.write(letter));
      } else {
        print(letter, context.out());
      }
      return 0;
    }
  }

  static void print(DeadLetter letter, PrintStream out) {
    out.println("id:       " + letter.id());
    out.println("reason:   " + (letter.reason() == null ? "(none recorded: moved by the queue after too many "
        + "deliveries?)" : letter.reason()));
    out.println("receives: " + letter.receives());
    out.println("size:     " + letter.bytes() + " bytes");
    if (letter.kind().equals("unreadable")) {
      out.println("body:     unreadable: " + letter.problem());
      out.println("starts:   " + letter.preview());
      return;
    }
    out.println("body:     a bundle of " + letter.count() + " " + letter.kind());
    if (!letter.envelopes().isEmpty()) {
      Table table = new Table(">TASK", "RUN", "APP", ">ATTEMPT", "REPLY", "ARGS");
      for (DeadLetter.Envelope envelope : letter.envelopes()) {
        table.row(envelope.task(), envelope.run(), envelope.app(), envelope.attempt(), envelope.reply(),
            DeadLetter.args(envelope.args()));
      }
      out.println();
      table.print(out);
    }
    if (!letter.rejected().isEmpty()) {
      out.println();
      Table table = new Table(">INDEX", ">TASK", "RUN", "REFUSED BECAUSE");
      for (DeadLetter.Rejected rejected : letter.rejected()) {
        table.row(rejected.index(), rejected.task(), rejected.run(), rejected.reason());
      }
      table.print(out);
    }
  }
}
