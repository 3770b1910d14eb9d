package dev.shoal.cli;

import dev.shoal.spi.ReceivedMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code shoal dlq purge}: deletes every dead letter, once the user says yes. */
@Command(name = "purge", header = "Deletes every dead letter, after asking.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = "Deletes every dead letter of the queue for good, after asking (unless --yes) with the count "
        + "the queue gives (approximate on SQS). Exits 1 when the answer is not yes.")
final class DlqPurgeCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin
  QueueServiceOptions service;

  @Option(names = {"-y", "--yes"}, description = "Do not ask.")
  boolean yes;

  DlqPurgeCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws IOException {
    try (DeadLetterQueue queue = DeadLetterQueue.open(service, context)) {
      // Asked before anything is received, so that a "no" leaves the queue exactly as it was.
      long counted = queue.count();
      if (!yes && counted > 0 && !confirmed(counted, queue.address())) {
        context.out().println("not purged: " + counted + " dead letter(s) left in " + queue.address());
        return 1;
      }
      List<ReceivedMessage> held = queue.hold(Integer.MAX_VALUE, letter -> false);
      if (held.isEmpty()) {
        context.out().println("no dead letters in " + queue.address());
        return 0;
      }
      queue.ack(held);
      context.out().println("purged " + held.size() + " dead letter(s) from " + queue.address());
      return 0;
    }
  }

  private boolean confirmed(long count, String address) throws IOException {
    context.err().print("Delete " + count + " dead letter(s) of " + address + " for good? [y/N] ");
    context.err().flush();
    String answer = new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.UTF_8)).readLine();
    return answer != null && List.of("y", "yes").contains(answer.trim().toLowerCase(Locale.ROOT));
  }
}
