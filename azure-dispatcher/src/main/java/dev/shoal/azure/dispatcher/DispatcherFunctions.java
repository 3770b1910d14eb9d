package dev.shoal.azure.dispatcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import dev.shoal.dispatcher.ScalingReport;
import dev.shoal.dispatcher.ScalingStep;
import dev.shoal.azure.functions.FunctionBurstSwitch;
import dev.shoal.azure.vmss.VmssProvider;
import dev.shoal.spi.BurstSwitch;
import dev.shoal.dispatcher.PoolSettings;
import dev.shoal.spi.ComputeProvider;
import dev.shoal.worker.WorkerOptions;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * The dispatcher as an Azure Function: two triggers, each a thin adapter over the same {@link
 * ScalingStep} that the Lambda hosts. {@value #TICK} runs it every minute; {@value #NUDGE} runs it
 * when a client's {@code dev.shoal.azure.FunctionNudger} posts that it published tasks (an HTTP
 * POST with the function's key: auth level {@code function}), so that a burst is met within
 * seconds. Each invocation is one evaluation of the task queue and the workers' scale set (depth,
 * stuck and silent workers, decision, launch), logged as one line. A queue whose depth cannot be
 * read fails the invocation; the next one tries again. A nudge whose body is not a nudge gets a
 * 400 and changes nothing.
 *
 * <p><b>Burst.</b> When the settings name a burst worker function ({@link
 * FunctionSettings#BURST_FUNCTION_APP_ID}: {@link WorkerFunctions}, in an app of its own), every
 * evaluation also reads and turns its {@link FunctionBurstSwitch}: on while a backlog beyond the
 * running VMs waits for booting ones, off once they hold it; the log line says so.
 *
 * <p><b>VM-only queue.</b> When the settings name one ({@link FunctionSettings#VM_QUEUE}: where
 * the client sends the tasks of apps that may not run in a function, such as command apps), its
 * tasks are the VMs' demand too, the VMs are told to serve it ({@code --vm-queue}), and the burst,
 * whose trigger is on the task queue alone, is turned on for the task queue's backlog only.
 *
 * <p>Configuration comes only from the app settings, see {@link FunctionSettings}.
 *
 * <p><b>Tasks, not messages</b>, as in the Lambda: the pool is sized from the tasks per message the
 * client records on the task queue, else the last nudge's ratio, else {@code SHOAL_TASKS_PER_MESSAGE}.
 *
 * <p><b>State, and why it is static.</b> The Functions Java worker makes a new instance of this
 * class for every invocation (unless the app ships a {@code FunctionInstanceInjector}, whose SPI
 * jar is not available to this build), so the warm state the Lambda keeps in its handler object,
 * the step's memory of when the queue was last busy and the last nudge's ratio, lives in one
 * process-wide {@link FunctionDispatcher}, built on first use from the environment (a failed
 * build is not remembered: the next invocation tries again). As with the Lambda, nothing that
 * matters for correctness lives there: a new host process only delays a scale-in decision by a
 * cool-down. The Bicep runs the app on one instance ({@code functionAppScaleLimit} 1), so the
 * timer and the nudges share that state and their evaluations are serialized, as the Lambda's
 * reserved concurrency of 1 does.
 */
public final class DispatcherFunctions {
  static final String TICK = "tick";
  static final String NUDGE = "nudge";
  /** Every minute, at second 0 (NCRONTAB with seconds), like the Lambda's schedule. */
  static final String SCHEDULE = "0 * * * * *";
  /** The transport the Function reads the task queue with. */
  static final String TRANSPORT = "servicebus";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Warm WARM = new Warm();

  private final Supplier<FunctionDispatcher> dispatcher;

  /** The constructor the Functions host calls: the process's warm dispatcher, built from the environment. */
  public DispatcherFunctions() {
    this.dispatcher = WARM::get;
  }

  /** Triggers over given parts (tests run them against in-memory ones). */
  DispatcherFunctions(FunctionSettings settings, Transport transport, ComputeProvider provider, Clock clock) {
    this(settings, transport, provider, null, clock);
  }

  /** Triggers over given parts, with a burst switch (null: none). */
  DispatcherFunctions(FunctionSettings settings, Transport transport, ComputeProvider provider, BurstSwitch burst,
      Clock clock) {
    FunctionDispatcher own = new FunctionDispatcher(settings, transport, provider, burst, clock);
    this.dispatcher = () -> own;
  }

  @FunctionName(TICK)
  public void tick(@TimerTrigger(name = "timer", schedule = SCHEDULE) String timerInfo, ExecutionContext context) {
    ScalingReport report = dispatcher.get().tick();
    context.getLogger().info("dispatcher (schedule): " + report.reason());
  }

  @FunctionName(NUDGE)
  public HttpResponseMessage nudge(
      @HttpTrigger(name = "request", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION)
      HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    Nudge nudge;
    try {
      nudge = Nudge.parse(request.getBody().orElse(null));
    } catch (IllegalArgumentException e) {
      context.getLogger().warning("dispatcher (nudge): rejected a request that is no nudge: " + e.getMessage());
      return request.createResponseBuilder(HttpStatus.BAD_REQUEST)
          .header("Content-Type", "text/plain; charset=utf-8")
          .body(e.getMessage())
          .build();
    }
    ScalingReport report = dispatcher.get().nudged(nudge);
    context.getLogger().info("dispatcher (nudge): " + report.reason());
    return request.createResponseBuilder(HttpStatus.OK)
        .header("Content-Type", "application/json")
        .body(json(report))
        .build();
  }

  private static String json(ScalingReport report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The dispatcher the app settings describe: the servicebus transport, and the scale set's provider. */
  static FunctionDispatcher fromEnvironment(Map<String, String> env) {
    FunctionSettings settings = FunctionSettings.fromEnvironment(env);
    Transport transport = transportProvider(TRANSPORT).create(settings.transportSettings());
    try {
      return new FunctionDispatcher(settings, transport, computeProvider(settings), burstSwitch(settings),
          Clock.systemUTC());
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
  }

  /**
   * The transport provider of this name ({@value #TRANSPORT} in production), looked up in the class
   * loader that loaded this class: the Functions worker loads the app's jars in a loader of their own.
   */
  static TransportProvider transportProvider(String name) {
    for (TransportProvider provider : ServiceLoader.load(TransportProvider.class,
        DispatcherFunctions.class.getClassLoader())) {
      if (provider.name().equals(name)) {
        return provider;
      }
    }
    throw new IllegalStateException("no transport named '" + name + "' on the Function's class path: its lib/ "
        + "must hold the jar that lists it in META-INF/services/" + TransportProvider.class.getName()
        + " (shoal-azure, for " + TRANSPORT + ")");
  }

  /**
   * The one place the production compute provider is made: the workers' scale set
   * ({@link FunctionSettings#scaleSetId()}), launching workers told the task queue (and the
   * VM-only queue, where there is one), the transport settings and the pool's worker options, and
   * fetching {@link FunctionSettings#workerJarUrl()}.
   */
  static ComputeProvider computeProvider(FunctionSettings settings) {
    return providerBuilder(settings).build();
  }

  /**
   * The pool's burst, when the settings name a worker function: its app setting
   * {@code AzureWebJobs.<function>.Disabled}, written through ARM with the Function's managed
   * identity (null: no burst).
   */
  static BurstSwitch burstSwitch(FunctionSettings settings) {
    return settings.hasBurst() ? burstSwitchBuilder(settings).build() : null;
  }

  /** Everything of the burst switch but the credential (tests give a fake's pipeline). */
  static FunctionBurstSwitch.Builder burstSwitchBuilder(FunctionSettings settings) {
    // Each call to ARM bounded as the queue's depth is, so that a slow ARM fails the switch, not the invocation.
    return FunctionBurstSwitch.builder().functionAppId(settings.burstFunctionAppId())
        .functionName(settings.burstFunction()).timeout(FunctionDispatcher.DEPTH_TIMEOUT);
  }

  /** Everything but the credential: the Function's managed identity (DefaultAzureCredential) by default, tests a fake's. */
  static VmssProvider.Builder providerBuilder(FunctionSettings settings) {
    PoolSettings pool = settings.pool();
    WorkerOptions worker = WorkerOptions.of(TRANSPORT, settings.transportSettings(), settings.taskQueue())
        .withSlots(pool.slotsPerWorker()).withIdleTimeout(pool.workerIdleTimeout())
        .withLease(pool.workerLease()).withMaxDeliveries(pool.workerMaxDeliveries())
        .withPayloadStore(pool.workerPayloadStore()).withVmQueue(settings.vmQueue());
    VmssProvider.Builder builder = VmssProvider.builder()
        .scaleSetId(settings.scaleSetId())
        .workerOptions(worker)
        .workerJarUrl(settings.workerJarUrl())
        .heartbeatPeriod(pool.heartbeatPeriod());
    if (settings.workerIdentityClientId() != null) {
      builder.identityClientId(settings.workerIdentityClientId());
    }
    if (settings.heartbeatContainerUrl() != null) {
      builder.heartbeatContainerUrl(settings.heartbeatContainerUrl());
    }
    return builder;
  }

  /**
   * The process's one dispatcher, built on first use; a build that fails is not kept, so that a
   * later invocation tries again (after a transient failure, or once the settings are fixed).
   */
  private static final class Warm {
    private FunctionDispatcher dispatcher;

    synchronized FunctionDispatcher get() {
      if (dispatcher == null) {
        dispatcher = fromEnvironment(System.getenv());
      }
      return dispatcher;
    }
  }
}
