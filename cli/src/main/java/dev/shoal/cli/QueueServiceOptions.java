package dev.shoal.cli;

import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The queue service and queue a command talks to: a transport by name with its settings, as a
 * worker takes them ({@code --transport sqs --setting endpoint=...}), and the task queue.
 */
final class QueueServiceOptions {
  static final String DEFAULT_QUEUE = "shoal-tasks";
  /** The task queue as the Lambda and the Function are told it: fallbacks of --queue, in this order. */
  static final List<String> QUEUE_VARIABLES = List.of("SHOAL_TASK_QUEUE_URL", "SHOAL_TASK_QUEUE");

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--transport", paramLabel = "NAME", completionCandidates = Transports.class,
      description = "The queue service: sqs (SQS, ElasticMQ, LocalStack) or servicebus (default: ${DEFAULT-VALUE}).",
      defaultValue = "sqs")
  String transport;

  @Option(names = "--setting", paramLabel = "KEY=VALUE",
      description = {"A setting of the transport, as a worker's --setting takes it; repeatable.",
          "sqs: endpoint, region, credentials=static (default endpoint: $SHOAL_SQS_ENDPOINT, else the SDK's).",
          "servicebus: servicebus.connection (default: $SHOAL_SERVICEBUS_CONNECTION), servicebus.namespace, "
              + "servicebus.adminEndpoint."})
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--queue", paramLabel = "NAME|ADDRESS",
      description = "The task queue: a name or an address (default: $SHOAL_TASK_QUEUE_URL, else $SHOAL_TASK_QUEUE, "
          + "else " + DEFAULT_QUEUE + ").")
  String queue;

  /** Whether the user chose the transport, rather than its default. */
  boolean transportGiven() {
    return mixee.commandLine().getParseResult().hasMatchedOption("--transport")
        || mixee.commandLine().getParseResult().hasMatchedOption("--setting");
  }

  /** The queue named by --queue, else by the environment, else the default. */
  String queue(CliContext context) {
    if (queue != null) {
      return queue;
    }
    for (String variable : QUEUE_VARIABLES) {
      if (context.variable(variable) != null) {
        return context.variable(variable);
      }
    }
    return DEFAULT_QUEUE;
  }

  /** Opens the transport; an unknown name is a usage error. */
  Transport open() {
    TransportProvider provider;
    try {
      provider = TransportProvider.named(transport);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(mixee.commandLine(), e.getMessage() + " (known: sqs, servicebus)");
    }
    try {
      return provider.create(settings);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(mixee.commandLine(), "the " + transport + " transport's settings: "
          + e.getMessage());
    }
  }

  /** The transports this jar carries, for completion. */
  static final class Transports implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("sqs", "servicebus").iterator();
    }
  }
}
