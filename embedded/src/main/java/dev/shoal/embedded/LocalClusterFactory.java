package dev.shoal.embedded;

import dev.shoal.config.ConfigNode;
import dev.shoal.config.ExecutorFactory;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.internal.config.Plugins;
import dev.shoal.internal.config.QueueTuning;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.spi.TaskExecutor;
import dev.shoal.spi.TransportProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code type: local}: a {@link LocalCluster}, each key one of its builder's options. A fixed pool
 * ({@code workers}) or an autoscaled one ({@code minWorkers}, {@code maxWorkers}, {@code
 * scalingTick}, {@code nudge}); {@code slotsPerWorker}, {@code workerIdleTimeout}, {@code lease},
 * {@code maxDeliveries}, {@code inProcessBurst}, {@code taskQueue}, {@code vmQueue}, {@code
 * queueService} ({@code transport}, {@code settings}), {@code payloadStore} (a URI, a folder, or
 * {@code none}), {@code signing}, {@code signingKeyEnv}, {@code logDir}; the worker JVMs' {@code
 * workerJvmArgs}, {@code workerEnvironment}, {@code workerStopGrace}, {@code workerJavaCommand},
 * {@code workerClassPath}; and the queue executor's own keys ({@code taskTimeout},
 * {@code maxTasksPerMessage}...). The embedded server starts when a kernel starts the cluster.
 */
public final class LocalClusterFactory implements ExecutorFactory {
  @Override
  public String type() {
    return "local";
  }

  @Override
  public Supplier<TaskExecutor> read(ConfigNode node, String label) {
    LocalCluster.Builder cluster = LocalCluster.builder().label(label);
    OptionalInt workers = node.integer("workers", 0);
    OptionalInt minWorkers = node.integer("minWorkers", 0);
    OptionalInt maxWorkers = node.integer("maxWorkers", 1);
    OptionalInt slots = node.integer("slotsPerWorker", 1);
    Optional<Duration> idle = node.duration("workerIdleTimeout");
    Optional<Duration> lease = QueueTuning.positive(node, "lease");
    OptionalInt maxDeliveries = node.integer("maxDeliveries", 1);
    Optional<Boolean> nudge = node.bool("nudge");
    Optional<Boolean> burst = node.bool("inProcessBurst");
    Optional<Duration> tick = QueueTuning.positive(node, "scalingTick");
    boolean autoscaling = maxWorkers.isPresent();
    if (autoscaling && workers.isPresent()) {
      throw node.error("workers", "workers is a fixed pool's size, and maxWorkers makes the pool autoscale: "
          + "give one of them");
    }
    for (String scalingKey : List.of("minWorkers", "scalingTick", "nudge")) {
      if (!autoscaling && node.string(scalingKey).isPresent()) {
        throw node.error(scalingKey, scalingKey + " is for autoscaling: set maxWorkers too");
      }
    }
    if (autoscaling && minWorkers.orElse(0) > maxWorkers.getAsInt()) {
      throw node.error("minWorkers", "minWorkers " + minWorkers.getAsInt() + " is more than maxWorkers "
          + maxWorkers.getAsInt());
    }
    workers.ifPresent(cluster::workers);
    minWorkers.ifPresent(cluster::minWorkers);
    maxWorkers.ifPresent(cluster::maxWorkers);
    slots.ifPresent(cluster::slotsPerWorker);
    idle.ifPresent(cluster::workerIdleTimeout);
    lease.ifPresent(cluster::lease);
    maxDeliveries.ifPresent(cluster::maxDeliveries);
    nudge.ifPresent(cluster::nudge);
    burst.ifPresent(cluster::inProcessBurst);
    tick.ifPresent(every -> cluster.configureScaling(scaling -> scaling.tick(every)));

    Optional<String> taskQueue = node.string("taskQueue").map(String::strip);
    taskQueue.ifPresent(cluster::taskQueue);
    Optional<String> vmQueue = node.string("vmQueue").map(String::strip);
    if (vmQueue.isPresent()) {
      if (vmQueue.get().equals(taskQueue.orElse("shoal-tasks"))) {
        throw node.error("vmQueue", "the VM-only queue must be another queue than the task queue");
      }
      cluster.vmQueue(vmQueue.get());
    }
    node.node("queueService").ifPresent(service -> {
      TransportProvider provider = Plugins.transport(service, "transport");
      Map<String, String> settings = service.stringMap("settings");
      cluster.queueService(provider.name(), settings);
    });
    node.string("payloadStore").ifPresent(store -> {
      if (store.strip().equalsIgnoreCase("none")) {
        cluster.noPayloadStore();
      } else {
        cluster.payloadStore(Plugins.payloadRoot(node, "payloadStore", store));
      }
    });
    Optional<Boolean> signing = node.bool("signing");
    signing.ifPresent(cluster::signing);
    Optional<String> key = node.environmentValue("signingKeyEnv");
    if (key.isPresent()) {
      if (!signing.orElse(true)) {
        throw node.error("signingKeyEnv", "signing is off (signing: false), so a key would not be used");
      }
      int bytes = key.get().getBytes(StandardCharsets.UTF_8).length;
      if (bytes < EnvelopeSigner.MIN_KEY_BYTES) {
        throw node.error("signingKeyEnv", "the variable holds " + bytes + " bytes, and a signing key needs at least "
            + EnvelopeSigner.MIN_KEY_BYTES);
      }
      cluster.signingKey(key.get());
    }
    node.path("logDir").ifPresent(cluster::logDir);

    List<String> jvmArgs = node.strings("workerJvmArgs");
    Map<String, String> environment = node.stringMap("workerEnvironment");
    Optional<Duration> stopGrace = node.duration("workerStopGrace");
    Optional<String> javaCommand = node.string("workerJavaCommand");
    Optional<String> classPath = node.string("workerClassPath");
    if (environment.containsKey(EnvelopeSigner.KEY_ENV)) {
      throw node.error("workerEnvironment", "the cluster hands its workers their signing key itself: use signingKeyEnv");
    }
    cluster.configureWorkers(workerBuilder -> {
      if (!jvmArgs.isEmpty()) {
        workerBuilder.jvmArgs(jvmArgs);
      }
      environment.forEach(workerBuilder::environment);
      stopGrace.ifPresent(workerBuilder::stopGrace);
      javaCommand.ifPresent(workerBuilder::javaCommand);
      classPath.ifPresent(workerBuilder::classPath);
    });

    Consumer<QueueExecutor.Builder> tuning = QueueTuning.read(node);
    // The executor's own checks, now rather than when a kernel starts.
    tuning.accept(QueueExecutor.builder());
    cluster.configure(tuning);
    return cluster::build;
  }
}
