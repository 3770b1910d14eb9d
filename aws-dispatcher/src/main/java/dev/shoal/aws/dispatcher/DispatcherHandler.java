package dev.shoal.aws.dispatcher;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.aws.Ec2Provider;
import dev.shoal.aws.EventSourceMappingSwitch;
import dev.shoal.aws.SqsClients;
import dev.shoal.dispatcher.NudgedTasksPerMessage;
import dev.shoal.dispatcher.PoolSettings;
import dev.shoal.dispatcher.ScalingReport;
import dev.shoal.dispatcher.ScalingStep;
import dev.shoal.spi.BurstSwitch;
import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.Transport;
import dev.shoal.worker.WorkerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher as an AWS Lambda function: every invocation, whether from its schedule (an
 * EventBridge event) or from a client's nudge (any payload, see {@code dev.shoal.aws.LambdaNudger}),
 * runs one {@link ScalingStep} on the task queue and the EC2 pool (depth, stuck and silent
 * instances, decision, launch, and the burst workers' event source mapping turned on or off when
 * {@link DispatcherSettings#BURST_MAPPING} names it), logs its decision and returns its {@link ScalingReport} as JSON. A queue whose depth
 * cannot be read fails the invocation; the next one tries again.
 *
 * <p>Configuration comes only from the environment, see {@link DispatcherSettings}.
 *
 * <p><b>Tasks, not messages.</b> The queue counts messages, and Shoal's client bundles many tasks
 * into one. The pool is sized from tasks: the tasks per message that the client records on the
 * task queue ({@code QueueDepth.TASKS_PER_MESSAGE_TAG}, read with the depth on every invocation,
 * scheduled or nudged); where there is no record (a client not allowed to tag the queue), the
 * ratio of the last nudge ({@code "tasks"} over {@code "messages"}); before any nudge,
 * {@link DispatcherSettings#TASKS_PER_MESSAGE}.
 *
 * <p><b>State.</b> The step remembers how long the queue has been empty, and the handler the last
 * nudge's ratio. They live in this handler object, which Lambda reuses across invocations of a
 * warm container (the template reserves a concurrency of 1, so there is one). A new container
 * does not know them: it counts the queue as busy until now (the only effect is a scale-in
 * decision delayed by one cool-down, and scale-in stops nobody anyway), and it uses the queue's
 * record or the configured ratio until a nudge comes. Nothing that matters for correctness lives
 * here.
 */
public final class DispatcherHandler implements RequestStreamHandler {
  private static final Logger log = LoggerFactory.getLogger(DispatcherHandler.class);
  /** A third of the function's 60 s timeout (template.yaml), so a slow queue fails the invocation clearly. */
  private static final Duration DEPTH_TIMEOUT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The presigned jar link must outlast any boot the pending deadline allows. */
  private static final Duration SHORTEST_JAR_LINK = Duration.ofHours(1);

  private final ScalingStep step;
  private final NudgedTasksPerMessage tasksPerMessage;

  /** The constructor Lambda calls: everything from the environment, clients from the SDK's defaults. */
  public DispatcherHandler() {
    this(DispatcherSettings.fromEnvironment(System.getenv()), System.getenv(DispatcherSettings.RUNTIME_REGION));
  }

  private DispatcherHandler(DispatcherSettings settings, String region) {
    this(settings, SqsClients.transport(clientSettings(region)),
        providerBuilder(settings, region).settings(clientSettings(region)).build(),
        settings.burstMapping() == null ? null : EventSourceMappingSwitch.create(settings.burstMapping(),
            clientSettings(region)),
        Clock.systemUTC());
  }

  /**
   * A handler on given clients (tests run it against emulators).
   *
   * @param burst the burst workers' switch; null for a pool without them
   */
  DispatcherHandler(DispatcherSettings settings, Transport transport, ComputeProvider provider, BurstSwitch burst,
      Clock clock) {
    this.tasksPerMessage = new NudgedTasksPerMessage(settings.tasksPerMessage());
    ScalingStep.Builder step = ScalingStep.builder()
        .taskQueue(transport, settings.taskQueueUrl())
        .provider(provider)
        .config(settings.scalingConfig())
        .clock(clock)
        .tasksPerMessage(tasksPerMessage)
        .depthTimeout(DEPTH_TIMEOUT);
    if (settings.vmQueueUrl() != null) {
      step.vmQueue(settings.vmQueueUrl());
    }
    this.step = (burst == null ? step : step.burst(burst)).build();
  }

  private static Map<String, String> clientSettings(String region) {
    return region == null ? Map.of() : Map.of(SqsClients.REGION, region);
  }

  /** The EC2 provider these settings describe, without its clients. */
  static Ec2Provider.Builder providerBuilder(DispatcherSettings settings, String region) {
    WorkerOptions worker = WorkerOptions.of("sqs", region == null ? Map.of() : Map.of(SqsClients.REGION, region),
        settings.taskQueueUrl()).withSlots(settings.slotsPerWorker()).withIdleTimeout(settings.workerIdleTimeout())
        .withLease(settings.workerLease()).withMaxDeliveries(settings.workerMaxDeliveries())
        .withPayloadStore(settings.workerPayloadStore()).withVmQueue(settings.vmQueueUrl());
    return Ec2Provider.builder()
        .pool(settings.pool())
        .launchTemplateId(settings.launchTemplateId(), settings.launchTemplateVersion())
        .subnetId(settings.subnetId())
        .workerOptions(worker)
        .workerJarUrl(settings.workerJarUrl())
        .jarLinkValidity(settings.pendingDeadline().compareTo(SHORTEST_JAR_LINK) > 0 ? settings.pendingDeadline()
            : SHORTEST_JAR_LINK)
        .readyBucket(settings.readyBucket())
        .heartbeatPeriod(heartbeatPeriod(settings.silenceLimit()));
  }

  /** A fifth of the silence limit, so that a few lost beats are no silence; within 5 s and a minute. */
  static Duration heartbeatPeriod(Duration silenceLimit) {
    return PoolSettings.heartbeatPeriod(silenceLimit);
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    Event event = Event.read(input);
    tasksPerMessage.heard(event.tasks(), event.messages());
    ScalingReport outcome = evaluate();
    log.info("dispatcher ({}): {}", event.source(), outcome.reason());
    JSON.writeValue(output, outcome);
  }

  /**
   * What invoked the function: "schedule" for an EventBridge event, "nudge" for anything else; a
   * nudge from {@code LambdaNudger} also says how many tasks went out in how many messages (0 when
   * it does not).
   */
  record Event(String source, long tasks, long messages) {
    static Event read(InputStream input) {
      try {
        JsonNode event = JSON.readTree(input);
        if (event != null && "aws.events".equals(event.path("source").asText())) {
          return new Event("schedule", 0, 0);
        }
        return event == null ? new Event("nudge", 0, 0)
            : new Event("nudge", event.path("tasks").asLong(0), event.path("messages").asLong(0));
      } catch (IOException | RuntimeException e) {
        return new Event("nudge", 0, 0);
      }
    }
  }

  /** One evaluation: depth, stuck and silent instances, decision, launch. */
  ScalingReport evaluate() {
    return ScalingReport.of(step.evaluate());
  }
}
