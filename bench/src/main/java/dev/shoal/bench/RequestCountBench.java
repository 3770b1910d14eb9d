package dev.shoal.bench;

import dev.shoal.DataFlowKernel;
import dev.shoal.aws.SqsClients;
import dev.shoal.embedded.EmbeddedSqsServer;
import dev.shoal.embedded.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * How many SQS requests a no-op task costs, counted rather than derived: every request of every
 * process of a local cluster (the client, its in-process burst worker, the worker JVMs and, when
 * autoscaling, the autoscaler) goes through a {@link CountingSqsProxy} in front of an embedded SQS
 * server (ElasticMQ), since {@link LocalCluster#builder()}'s {@code queueService("sqs", ..)} points
 * this JVM and the workers it starts at the proxy's address. The count is by action, and also as
 * SQS bills it (64 KiB chunks), with the receives that returned nothing.
 *
 * <p>Each round is one fresh cluster's whole life: built, {@code --tasks} no-op tasks submitted at
 * once, closed (its queues created, its workers' start, their last long polls and the reply queue's
 * deletion included), so that the figure is what one run of that many tasks costs. The part from
 * the first call to the last result is printed beside it ({@code _during_tasks}). Variants: the
 * defaults (2 worker JVMs of 1 slot, adaptive bundling up to 256 tasks a message, the in-process
 * burst), bundles of at most 10 tasks, one task a message, and the defaults autoscaled (0..2).
 *
 * <p>Options: {@code --tasks N} (default 10,000), {@code --rounds R} (default 3), {@code --variants
 * a,b} (default all: default, bundle10, unbundled, autoscaled). Each figure is the median of its
 * rounds with the lowest and highest ({@link Spread}). Counts depend on timing only through
 * bundling (how many tasks pile up while a send is in flight) and idle polls, so they move a little
 * from round to round; they need no quiet machine.
 */
public final class RequestCountBench {
  private RequestCountBench() {}

  /** A way to build the cluster, named for the output. */
  private record Variant(String name, String description, UnaryOperator<LocalCluster.Builder> settings) {}

  /** One round of one variant: the counts of the whole life and of the tasks alone, and the bundling. */
  private record Round(CountingSqsProxy.Counts whole, CountingSqsProxy.Counts duringTasks, double tasksPerMessage) {}

  private static final List<Variant> VARIANTS = List.of(
      new Variant("default", "defaults: 2 workers x 1 slot, bundles up to 256, in-process burst", b -> b),
      new Variant("bundle10", "bundles of at most 10 tasks", b -> b.configure(e -> e.maxTasksPerMessage(10))),
      new Variant("unbundled", "one task a message", b -> b.configure(e -> e.maxTasksPerMessage(1))),
      new Variant("autoscaled", "defaults, autoscaled 0..2 (local autoscaler, 1 s tick, nudged)",
          b -> b.maxWorkers(2)));

  public static void main(String[] args) throws Exception {
    int tasks = 10_000;
    int rounds = 3;
    List<String> chosen = VARIANTS.stream().map(Variant::name).toList();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--variants" -> chosen = List.of(args[++i].split(","));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<Variant> variants = new ArrayList<>();
    for (String name : chosen) {
      variants.add(VARIANTS.stream().filter(v -> v.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown variant " + name)));
    }
    Path runDir = Files.createTempDirectory("shoal-requests-bench");
    System.out.printf("requests bench: %,d no-op tasks a round, %d rounds, every SQS request of every process counted"
        + " through a loopback proxy%n", tasks, rounds);

    Map<Variant, List<Round>> results = new LinkedHashMap<>();
    try (EmbeddedSqsServer server = EmbeddedSqsServer.start();
         CountingSqsProxy proxy = CountingSqsProxy.start(server.endpoint())) {
      for (Variant variant : variants) {
        List<Round> done = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
          Round counted = round(proxy, runDir.resolve(variant.name() + "-" + round), variant, tasks);
          done.add(counted);
          System.out.printf("%s round %d: %,d requests (%,d billed), %,d empty receives, %.1f tasks/message%n",
              variant.name(), round + 1, counted.whole().totalRequests(), counted.whole().totalBilled(),
              counted.whole().emptyReceives(), counted.tasksPerMessage());
        }
        results.put(variant, done);
      }
    }
    for (Map.Entry<Variant, List<Round>> entry : results.entrySet()) {
      report(entry.getKey(), entry.getValue(), tasks);
    }
  }

  private static Round round(CountingSqsProxy proxy, Path dir, Variant variant, int tasks) throws Exception {
    CountingSqsProxy.Counts before = proxy.counts();
    LocalCluster.Builder builder = LocalCluster.builder()
        // The embedded server is this class's, behind the proxy: the cluster embeds none, and its
        // workers get the proxy's address on their command line.
        .queueService("sqs", Map.of(SqsClients.ENDPOINT, proxy.endpoint().toString(),
            SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static"))
        .logDir(dir.resolve("workers"))
        .taskQueue("requests-" + System.nanoTime());
    LocalCluster cluster = variant.settings().apply(builder).build();
    CountingSqsProxy.Counts started;
    CountingSqsProxy.Counts finished;
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(dir).executor(cluster).build()) {
      started = proxy.counts();
      QueueBench.throughput(dfk, tasks);
      finished = proxy.counts();
    }
    CountingSqsProxy.Counts whole = proxy.counts().minus(before);
    if (whole.failures() > 0) {
      throw new IllegalStateException(whole.failures() + " requests could not be forwarded or read: the count is off");
    }
    double tasksPerMessage = (double) cluster.executor().tasksSent() / Math.max(1, cluster.executor().messagesSent());
    return new Round(whole, finished.minus(started), tasksPerMessage);
  }

  /** Requests by action and queue name, summed by action and the queue's role ("SendMessageBatch_replies"). */
  private static Map<String, Long> byRole(Map<String, Long> byQueue) {
    Map<String, Long> roles = new TreeMap<>();
    byQueue.forEach((key, count) -> {
      String action = key.substring(0, key.indexOf(' '));
      String queue = key.substring(key.indexOf(' ') + 1);
      String role = queue.endsWith("-dlq") ? "dead_letters" : queue.startsWith("shoal-reply-") ? "replies" : "tasks";
      roles.merge(action + "_" + role, count, Long::sum);
    });
    return roles;
  }

  private static void report(Variant variant, List<Round> rounds, int tasks) {
    String prefix = variant.name().equals("default") ? "" : variant.name() + "_";
    double perThousand = 1000.0 / tasks;
    System.out.printf("%n# %s (%s)%n", variant.name(), variant.description());
    Spread.of(rounds.stream().mapToDouble(r -> r.whole().totalRequests() * perThousand).toArray())
        .print(prefix + "sqs_requests_per_1000_tasks", "%.1f");
    Spread.of(rounds.stream().mapToDouble(r -> r.whole().totalBilled() * perThousand).toArray())
        .print(prefix + "sqs_billed_requests_per_1000_tasks", "%.1f");
    Spread.of(rounds.stream().mapToDouble(r -> r.duringTasks().totalRequests() * perThousand).toArray())
        .print(prefix + "sqs_requests_per_1000_tasks_during_tasks", "%.1f");
    Spread.of(rounds.stream().mapToDouble(r -> r.whole().emptyReceives() * perThousand).toArray())
        .print(prefix + "sqs_empty_receives_per_1000_tasks", "%.1f");
    Spread.of(rounds.stream().mapToDouble(Round::tasksPerMessage).toArray())
        .print(prefix + "tasks_per_task_message", "%.1f");
    Spread.of(rounds.stream().mapToDouble(r -> r.whole().payloadBytes() / (double) tasks).toArray())
        .print(prefix + "sqs_payload_bytes_per_task", "%.0f");
    TreeSet<String> actions = new TreeSet<>();
    rounds.forEach(r -> actions.addAll(r.whole().requests().keySet()));
    for (String action : actions) {
      double median = Spread.of(rounds.stream()
          .mapToDouble(r -> r.whole().requests().getOrDefault(action, 0L) * perThousand).toArray()).median();
      System.out.printf("%ssqs_requests_per_1000_tasks_%s: %.2f%n", prefix, action, median);
    }
    // By the queue's role: the task queue (tasks from the client, tasks a worker hands back), the
    // run's reply queue (results), the dead-letter queues.
    TreeSet<String> keys = new TreeSet<>();
    rounds.forEach(r -> keys.addAll(byRole(r.whole().byQueue()).keySet()));
    for (String key : keys) {
      double median = Spread.of(rounds.stream()
          .mapToDouble(r -> byRole(r.whole().byQueue()).getOrDefault(key, 0L) * perThousand).toArray()).median();
      System.out.printf("%ssqs_requests_per_1000_tasks_%s: %.2f%n", prefix, key, median);
    }
  }
}
