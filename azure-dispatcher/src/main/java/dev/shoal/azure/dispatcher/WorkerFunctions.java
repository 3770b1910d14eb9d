package dev.shoal.azure.dispatcher;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.ServiceBusQueueTrigger;
import dev.shoal.internal.app.AppRegistry;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.worker.BatchRunner;
import dev.shoal.worker.WorkerConfig;
import dev.shoal.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A burst worker as an Azure Function: a Service Bus trigger on the task queue (batches, with the
 * app's managed identity through the {@value WorkerFunctionSettings#CONNECTION} connection) whose
 * messages run through the worker runtime's own rules ({@link BatchRunner}: the same apps, envelope
 * verification and result signing with {@value EnvelopeSigner#KEY_ENV}, results posted to each
 * task's reply queue, poison by delivery count, a redelivered bundle split into single tasks), as
 * the Lambda's {@code WorkerFunctionHandler} does for SQS. The dispatcher turns it on and off with
 * its app setting {@code AzureWebJobs.work.Disabled} ({@code dev.shoal.azure.functions.FunctionBurstSwitch}).
 *
 * <p><b>Settlement: the whole batch, by the host.</b> The Java worker gets no way to settle single
 * messages (no message actions, no partial batch failure as SQS's {@code batchItemFailures}): with
 * {@code autoCompleteMessages} the host completes every message of the batch when the method
 * returns and abandons every one when it throws. So:
 * <ul>
 *   <li>when every message is done with (all its results posted, or split, or refused), the method
 *       returns and the host completes the batch;
 *   <li>when any message must come back (a result that could not be posted, a bundle that could
 *       not be split, a batch that outran its time), the method throws: the host abandons the
 *       whole batch, and every message of it is delivered again, the done ones too. That is safe,
 *       as every redelivery is: the tasks that ran, run again, and their clients drop the duplicate
 *       results; a bundle comes back split, and a task that keeps failing this way becomes poison
 *       by its delivery count;
 *   <li>a message the runner refuses (unreadable, forged or unsigned under a key, poison) cannot be
 *       dead-lettered from here (see {@link HostSettledTransport}): it is completed with its batch,
 *       its reason logged; its client has been told where that can be trusted.
 * </ul>
 * Lock renewal is the host's too ({@code maxAutoLockRenewalDuration} in host.json, as long as the
 * longest batch may run), and the delivery count comes from the trigger's metadata
 * ({@code DeliveryCountArray}; the host counts this delivery, as Shoal's receive count does).
 *
 * <p><b>State.</b> As with {@link DispatcherFunctions}, the worker makes an instance per
 * invocation, so the runner (its slot threads, its Service Bus clients) lives in the process,
 * built on first use from the environment ({@link WorkerFunctionSettings}).
 */
public final class WorkerFunctions {
  private static final Logger log = LoggerFactory.getLogger(WorkerFunctions.class);

  /** The function's name: the app setting that disables it is {@code AzureWebJobs.work.Disabled}. */
  static final String WORK = "work";
  /** The trigger's queue: the app setting's value, read by the host. */
  static final String QUEUE_EXPRESSION = "%" + WorkerFunctionSettings.TASK_QUEUE_NAME + "%";
  /** Set by App Service: unique to the instance, used for the worker id. */
  static final String INSTANCE_ID = "WEBSITE_INSTANCE_ID";

  private static final Warm WARM = new Warm();

  private final Supplier<Runner> runner;

  /** The constructor the Functions host calls: the process's warm runner, built from the environment. */
  public WorkerFunctions() {
    this.runner = WARM::get;
  }

  /** A function over a given transport and settings (tests run it against the fake Service Bus). */
  WorkerFunctions(WorkerFunctionSettings settings, String signingKey, Transport transport) {
    Runner own = new Runner(settings, signingKey, transport, null);
    this.runner = () -> own;
  }

  /**
   * Runs one batch; throws, so that the host abandons the whole batch, when a message of it must
   * come back.
   *
   * @param bodies the messages' bodies (task bundles, UTF-8 JSON)
   * @param sequenceNumbers their sequence numbers, Shoal's message ids on Service Bus
   * @param deliveryCounts their delivery counts, this delivery included
   * @param lockTokens their lock tokens, the receipts (never used to settle: the host settles)
   */
  @FunctionName(WORK)
  public void work(
      @ServiceBusQueueTrigger(name = "messages", queueName = QUEUE_EXPRESSION,
          connection = WorkerFunctionSettings.CONNECTION, cardinality = Cardinality.MANY, dataType = "string")
      String[] bodies,
      @BindingName("SequenceNumberArray") long[] sequenceNumbers,
      @BindingName("DeliveryCountArray") int[] deliveryCounts,
      @BindingName("LockTokenArray") String[] lockTokens,
      ExecutionContext context) {
    Runner current = runner.get();
    List<ReceivedMessage> messages = messages(bodies, sequenceNumbers, deliveryCounts, lockTokens);
    long refusedBefore = current.transport.refused();
    List<ReceivedMessage> again = messages.isEmpty() ? List.of()
        : current.batches.run(messages, current.settings.timeLimit());
    long refused = current.transport.refused() - refusedBefore;
    String summary = "worker function " + current.batches.id() + ": " + messages.size() + " message(s), "
        + again.size() + " to come back" + (refused > 0 ? ", " + refused + " refused (completed, see the log)" : "");
    if (!again.isEmpty()) {
      context.getLogger().warning(summary + ": failing the invocation, so the host abandons the batch");
      throw new BatchComesBack(again);
    }
    context.getLogger().info(summary);
  }

  /** Stops the runner's threads (tests: the host never does, a process just ends). */
  void close() {
    runner.get().batches.close();
  }

  /** The trigger's batch as the messages a poll would have brought. */
  static List<ReceivedMessage> messages(String[] bodies, long[] sequenceNumbers, int[] deliveryCounts,
      String[] lockTokens) {
    List<ReceivedMessage> messages = new ArrayList<>();
    if (bodies == null) {
      return messages;
    }
    for (int i = 0; i < bodies.length; i++) {
      String id = sequenceNumbers != null && i < sequenceNumbers.length ? Long.toString(sequenceNumbers[i])
          : "batch-" + i;
      int count = 1;
      if (deliveryCounts != null && i < deliveryCounts.length) {
        count = Math.max(1, deliveryCounts[i]);
      } else {
        // Without it no poison is ever seen here; the queue's own maxDeliveryCount still ends a task that kills us.
        log.warn("message {} has no delivery count in the trigger's metadata; taken as a first delivery", id);
      }
      String receipt = lockTokens != null && i < lockTokens.length ? lockTokens[i] : id;
      byte[] body = bodies[i] == null ? new byte[0] : bodies[i].getBytes(StandardCharsets.UTF_8);
      messages.add(new ReceivedMessage(id, receipt, body, count));
    }
    return messages;
  }

  /** Why an invocation failed: some messages must come back, so the host is made to abandon the batch. */
  static final class BatchComesBack extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BatchComesBack(List<ReceivedMessage> again) {
      super(again.size() + " message(s) of the batch must be delivered again ("
          + String.join(", ", again.stream().map(ReceivedMessage::id).limit(10).toList())
          + (again.size() > 10 ? ", ..." : "") + "); the host abandons the whole batch, and the tasks that ran"
          + " run again (their clients drop the duplicate results)");
    }
  }

  /** The runner and what it runs on. */
  private static final class Runner {
    final WorkerFunctionSettings settings;
    final HostSettledTransport transport;
    final BatchRunner batches;

    Runner(WorkerFunctionSettings settings, String signingKey, Transport transport, String instance) {
      this.settings = settings;
      this.transport = new HostSettledTransport(transport, settings.taskQueue());
      WorkerOptions options = WorkerOptions.of(DispatcherFunctions.TRANSPORT, settings.transportSettings(),
              settings.taskQueue())
          .withSlots(settings.slots())
          .withMaxDeliveries(settings.maxDeliveries())
          .withIdleTimeout(Duration.ZERO)
          .withPayloadStore(settings.payloadStore());
      // One id per instance, as a VM's worker has one per process: it names who ran a task in its result.
      options = options.withWorkerId("function-" + (instance != null && !instance.isBlank()
          ? instance.substring(0, Math.min(12, instance.length())) : Long.toString(ProcessHandle.current().pid())));
      WireCodec codec = new WireCodec(JsonCodec.create());
      EnvelopeSigner signer = signingKey == null || signingKey.isEmpty() ? null
          : EnvelopeSigner.fromSecret(signingKey, codec);
      // The Functions worker loads the app's jars (lib/: Shoal's, and the jar of the apps to run) in a loader of
      // their own: apps, payload stores and the runner's threads are found and made with it.
      ClassLoader loader = WorkerFunctions.class.getClassLoader();
      Thread thread = Thread.currentThread();
      ClassLoader before = thread.getContextClassLoader();
      thread.setContextClassLoader(loader);
      try {
        this.batches = BatchRunner.create(WorkerConfig.builder(options).transport(this.transport).codec(codec)
            .signer(signer).registry(AppRegistry.load(loader)).build());
      } finally {
        thread.setContextClassLoader(before);
      }
      log.info("worker function {} serving {} ({} slots, {}, batches of up to {})", batches.id(),
          settings.taskQueue(), settings.slots(), signer == null ? "unsigned tasks" : "signed tasks only",
          settings.timeLimit());
    }
  }

  /** The process's one runner, built on first use; a failed build is not kept, so the next invocation tries again. */
  private static final class Warm {
    private Runner runner;

    synchronized Runner get() {
      if (runner == null) {
        Map<String, String> env = System.getenv();
        WorkerFunctionSettings settings = WorkerFunctionSettings.fromEnvironment(env);
        Transport transport = DispatcherFunctions.transportProvider(DispatcherFunctions.TRANSPORT)
            .create(settings.transportSettings());
        try {
          runner = new Runner(settings, env.get(EnvelopeSigner.KEY_ENV), transport, env.get(INSTANCE_ID));
        } catch (RuntimeException e) {
          transport.close();
          throw e;
        }
      }
      return runner;
    }
  }
}
