package dev.shoal.examples;

import dev.shoal.AppFuture;
import dev.shoal.Arg;
import dev.shoal.DataFlowKernel;
import dev.shoal.RunStats;
import dev.shoal.config.ShoalConfig;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.spi.TaskExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Estimates pi from N independent sample tasks and one reduce task.
 *
 * <p>By default the tasks go through Shoal's local default: an embedded SQS-compatible server and
 * worker JVMs on this machine, autoscaled from 0: the burst of tasks makes the pool grow (one log
 * line per scaling decision), and once the run is idle the workers leave by themselves, which the
 * demo waits to show. Options: {@code --tasks N} (default 100), {@code --samples S} per task
 * (default 1,000,000), {@code --executor queue|threads} (default queue), {@code --workers W} (most
 * workers, default 2), {@code --idle-timeout SECONDS} (a worker leaves after this long without
 * work, default 3), {@code --transport NAME} with {@code --setting KEY=VALUE} (repeatable) to run the
 * same workers on another queue service, e.g. {@code --transport servicebus --setting
 * servicebus.connection=Endpoint=sb://...}. Or {@code --config FILE}: the executors, and the
 * kernel's settings, from a configuration file instead (samples in {@code examples/config/}), which
 * system properties ({@code -Dshoal.executors.0.maxWorkers=4}) and environment variables ({@code
 * SHOAL_EXECUTORS_0_MAXWORKERS=4}) override key by key.
 */
public final class PiDemo {
  private PiDemo() {}

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) {
    int tasks = 100;
    long samples = 1_000_000;
    String executorKind = "queue";
    int workers = 2;
    int idleSeconds = 3;
    String transport = null;
    Path config = null;
    Map<String, String> settings = new LinkedHashMap<>();
    // The options that choose and size the executor, which a configuration file sets instead.
    Set<String> executorOptions = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      if (List.of("--executor", "--workers", "--idle-timeout", "--transport", "--setting").contains(args[i])) {
        executorOptions.add(args[i]);
      }
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--samples" -> samples = Long.parseLong(args[++i]);
        case "--config" -> config = Path.of(args[++i]);
        case "--executor" -> executorKind = args[++i];
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--idle-timeout" -> idleSeconds = Integer.parseInt(args[++i]);
        case "--transport" -> transport = args[++i];
        case "--setting" -> {
          String setting = args[++i];
          int equals = setting.indexOf('=');
          if (equals <= 0) {
            throw new IllegalArgumentException("--setting takes KEY=VALUE, not " + setting);
          }
          settings.put(setting.substring(0, equals), setting.substring(equals + 1));
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (use --tasks N --samples S --executor queue|threads --workers W --idle-timeout SECONDS"
            + " --transport NAME --setting KEY=VALUE, or --config FILE)");
      }
    }
    if (config != null) {
      if (!executorOptions.isEmpty()) {
        throw new IllegalArgumentException("--config FILE sets the executors: set " + executorOptions
            + " in the file, or override its keys with -Dshoal.<key>=VALUE");
      }
      ShoalConfig configured = ShoalConfig.load(config);
      List<String> labels = configured.executorLabels();
      long started = System.nanoTime();
      try (DataFlowKernel dfk = DataFlowKernel.builder().configure(configured).build()) {
        estimate(dfk, tasks, samples, started, labels.isEmpty() ? "threads" : String.join("', '", labels));
      }
      return;
    }
    if (transport == null && !settings.isEmpty()) {
      throw new IllegalArgumentException("--setting is for --transport");
    }
    LocalCluster.Builder cluster = LocalCluster.builder()
        .minWorkers(0)
        .maxWorkers(workers)
        .workerIdleTimeout(Duration.ofSeconds(idleSeconds));
    TaskExecutor executor = switch (executorKind) {
      case "threads" -> ThreadPoolTaskExecutor.create();
      case "queue" -> (transport == null ? cluster : cluster.queueService(transport, settings)).build();
      default -> throw new IllegalArgumentException("--executor must be queue or threads, not " + executorKind);
    };
    long started = System.nanoTime();
    try (DataFlowKernel dfk = DataFlowKernel.builder().executor(executor).build()) {
      estimate(dfk, tasks, samples, started, executor.label());
      if (executor instanceof LocalCluster) {
        // Long enough for idle workers to notice and leave: the pool shrinks back to 0 by itself.
        System.out.printf("idle now: waiting %d s for the workers to leave by themselves...%n", idleSeconds + 4);
        sleep(Duration.ofSeconds(idleSeconds + 4));
      }
    }
  }

  /** The demo's program: the same whichever executor runs it. */
  private static void estimate(DataFlowKernel dfk, int tasks, long samples, long started, String executors) {
    List<AppFuture<Long>> counts = new ArrayList<>(tasks);
    for (int seed = 0; seed < tasks; seed++) {
      counts.add(dfk.call(PiApps.SAMPLE, samples, (long) seed));
    }
    double pi = dfk.call(PiApps.ESTIMATE, Arg.all(counts), Arg.of(samples)).join();
    double seconds = (System.nanoTime() - started) / 1e9;
    RunStats stats = dfk.stats();
    System.out.printf("pi ~ %.6f (error %.2e) from %,d samples in %d tasks + 1 reduce, %.2f s on executor '%s'%n",
        pi, Math.abs(pi - Math.PI), samples * tasks, tasks, seconds, executors);
    System.out.printf("tasks: %d submitted, %d succeeded, %d failed%n", stats.submitted(), stats.succeeded(),
        stats.failed());
  }
}
