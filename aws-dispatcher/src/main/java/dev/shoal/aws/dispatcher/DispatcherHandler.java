package dev.shoal.aws.dispatcher;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.aws.Ec2Provider;
import dev.shoal.aws.SqsClients;
import dev.shoal.aws.SqsTransport;
import dev.shoal.compute.WorkerInstance;
import dev.shoal.dispatcher.ScalingConfig;
import dev.shoal.dispatcher.ScalingDecision;
import dev.shoal.dispatcher.ScalingInput;
import dev.shoal.dispatcher.ScalingPolicy;
import dev.shoal.transport.QueueDepth;
import dev.shoal.worker.WorkerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher as an AWS Lambda function: on every invocation, whether from its schedule
 * (an EventBridge event) or from a client's nudge (any payload, see {@code dev.shoal.aws.LambdaNudger}),
 * it reads the task queue's depth, terminates instances that never started polling
 * ({@link Ec2Provider#terminateStuck}), lists the pool, asks the {@link ScalingPolicy}, and
 * launches what it decides. It never stops a worker that polls: idle workers power their VMs off
 * by themselves. It logs the decision and returns it as JSON.
 *
 * <p>Configuration comes only from the environment, see {@link DispatcherSettings}.
 *
 * <p><b>State.</b> The policy needs how long the queue has been empty. That time is kept in this
 * handler object, which Lambda reuses across invocations of a warm container (the template reserves
 * a concurrency of 1, so there is one). A new container does not know it and counts the queue as
 * busy until now: the only effect is a scale-in decision delayed by one cool-down, and scale-in
 * stops nobody anyway. Nothing that matters for correctness lives here.
 */
public final class DispatcherHandler implements RequestStreamHandler {
  private static final Logger log = LoggerFactory.getLogger(DispatcherHandler.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DispatcherSettings settings;
  private final SqsTransport transport;
  private final Ec2Provider provider;
  private final ScalingPolicy policy;
  private final Clock clock;
  private Instant lastBusy;

  /** The constructor Lambda calls: everything from the environment, clients from the SDK's defaults. */
  public DispatcherHandler() {
    this(DispatcherSettings.fromEnvironment(System.getenv()), System.getenv(DispatcherSettings.RUNTIME_REGION));
  }

  private DispatcherHandler(DispatcherSettings settings, String region) {
    this(settings, SqsClients.transport(region == null ? Map.of() : Map.of(SqsClients.REGION, region)),
        providerBuilder(settings, region).settings(region == null ? Map.of() : Map.of(SqsClients.REGION, region))
            .build(),
        Clock.systemUTC());
  }

  /** A handler on given clients (tests run it against emulators). */
  DispatcherHandler(DispatcherSettings settings, SqsTransport transport, Ec2Provider provider, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.provider = Objects.requireNonNull(provider, "provider");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.policy = new ScalingPolicy(ScalingConfig.builder()
        .minWorkers(settings.minWorkers())
        .maxWorkers(settings.maxWorkers())
        .slotsPerWorker(settings.slotsPerWorker())
        .targetBacklogPerSlot(settings.targetBacklogPerSlot())
        .coolDown(settings.idleCoolDown())
        .pendingDeadline(settings.pendingDeadline())
        .build());
  }

  /** The EC2 provider these settings describe, without its clients. */
  static Ec2Provider.Builder providerBuilder(DispatcherSettings settings, String region) {
    WorkerOptions worker = WorkerOptions.of("sqs", region == null ? Map.of() : Map.of(SqsClients.REGION, region),
        settings.taskQueueUrl()).withSlots(settings.slotsPerWorker()).withIdleTimeout(settings.workerIdleTimeout())
        .withLease(settings.workerLease()).withMaxDeliveries(settings.workerMaxDeliveries());
    return Ec2Provider.builder()
        .pool(settings.pool())
        .launchTemplateId(settings.launchTemplateId(), settings.launchTemplateVersion())
        .subnetId(settings.subnetId())
        .workerOptions(worker)
        .workerJarUrl(settings.workerJarUrl())
        .readyBucket(settings.readyBucket())
        .pendingDeadline(settings.pendingDeadline());
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    String source = source(input);
    Outcome outcome = evaluate();
    log.info("dispatcher ({}): {}", source, outcome.reason());
    JSON.writeValue(output, outcome);
  }

  /** What one evaluation saw and did. */
  public record Outcome(String action, int currentWorkers, int desiredWorkers, List<String> launched,
      List<String> terminatedStuck, long visibleMessages, long inFlightMessages, String reason) {}

  /** One evaluation: depth, stuck instances, listing, decision, launch. */
  synchronized Outcome evaluate() {
    Instant now = clock.instant();
    QueueDepth depth = depth();
    if (lastBusy == null || depth.total() > 0 || lastBusy.isAfter(now)) {
      lastBusy = now;
    }
    List<String> stuck = provider.terminateStuck(now);
    Set<String> gone = new HashSet<>(stuck);
    List<WorkerInstance> workers = provider.list().stream().filter(worker -> !gone.contains(worker.id())).toList();
    ScalingDecision decision = policy.decide(ScalingInput.of(depth, Math.max(1, settings.tasksPerMessage()), workers,
        Duration.between(lastBusy, now)));
    List<String> launched = decision.launch() > 0
        ? provider.launch(decision.launch()).stream().map(WorkerInstance::id).toList()
        : List.of();
    return new Outcome(decision.action().name(), decision.currentWorkers(), decision.desiredWorkers(), launched, stuck,
        depth.visible(), depth.inFlight(), decision.toString());
  }

  private QueueDepth depth() {
    try {
      return transport.depth(settings.taskQueueUrl()).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading the depth of " + settings.taskQueueUrl(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the depth of " + settings.taskQueueUrl() + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("reading the depth of " + settings.taskQueueUrl() + " took over "
          + CALL_TIMEOUT, e);
    }
  }

  /** "schedule" for an EventBridge event, "nudge" for anything else (the payload is not needed). */
  private static String source(InputStream input) {
    try {
      JsonNode event = JSON.readTree(input);
      return event != null && "aws.events".equals(event.path("source").asText()) ? "schedule" : "nudge";
    } catch (IOException | RuntimeException e) {
      return "nudge";
    }
  }
}
