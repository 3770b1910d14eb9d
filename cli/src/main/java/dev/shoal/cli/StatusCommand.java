package dev.shoal.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shoal.dispatcher.StandaloneDispatch;
import dev.shoal.spi.QueueDepth;
import dev.shoal.taskdb.RunRecord;
import dev.shoal.taskdb.TaskDatabaseReader;
import dev.shoal.taskdb.TaskQuery;
import dev.shoal.taskdb.TaskState;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.WorkerInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code shoal status}: the queues' depths and dead letters, and the pool's workers where a cloud is given. */
@Command(name = "status", header = "Shows the queues' depths and dead letters, and the pool's workers.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = {"Shows the task queue (and the VM-only queue, and the runs' reply queues where the service can "
        + "list them) with the messages waiting and in flight and their dead-letter queue's count; with --cloud, "
        + "also the pool's workers and their phase, read as its dispatcher reads them.",
        "In flight counts what consumers hold leased; on Service Bus only this process's leases are known, so "
            + "everything shows as waiting."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the task queue was read (other parts that could not be are shown as such)",
        "1:the task queue could not be read", "2:usage error"})
final class StatusCommand implements Callable<Integer> {
  static final String REPLY_PREFIX = "shoal-reply-";
  private static final String VM_QUEUE_VARIABLE = "SHOAL_VM_QUEUE_URL";

  private final CliContext context;

  @Spec
  CommandSpec spec;

  @Mixin
  QueueServiceOptions service;

  @Option(names = "--vm-queue", paramLabel = "NAME|ADDRESS",
      description = "The pool's VM-only queue, if it has one (default: $" + VM_QUEUE_VARIABLE + "; with --cloud, "
          + "the dispatcher's: SHOAL_VM_QUEUE_URL on aws, SHOAL_VM_QUEUE on azure).")
  String vmQueue;

  @Option(names = "--cloud", paramLabel = "aws|azure",
      description = "Also show the pool: the queues and workers the cloud's dispatcher settings name (the same "
          + "variables as 'shoal dispatch'); the transport is then the cloud's.")
  Cloud cloud;

  @Option(names = "--cloud-setting", paramLabel = "KEY=VALUE",
      description = "With --cloud: sets one of the dispatcher's environment variables, as 'shoal dispatch "
          + "--setting' does.")
  Map<String, String> cloudSettings = new LinkedHashMap<>();

  @Option(names = "--client-setting", paramLabel = "KEY=VALUE",
      description = "With --cloud aws: a setting of the AWS clients, as 'shoal dispatch --client-setting'.")
  Map<String, String> clientSettings = new LinkedHashMap<>();

  @Option(names = "--json", description = "Print the status as JSON.")
  boolean json;

  @Option(names = "--run", arity = "0..1", paramLabel = "RUN", fallbackValue = LATEST,
      description = "Instead of the queues, the tasks of a run (default: the latest) as the task database has them: "
          + "by state, and the last failures with their errors.")
  String run;

  @Mixin
  MonitoringDatabase database;

  private static final String LATEST = "<latest>";

  StatusCommand(CliContext context) {
    this.context = context;
  }

  /**
   * One queue's counts; null where it could not be read ({@code problem} says why) or where it has no
   * dead-letter queue.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record QueueStatus(String role, String address, Long waiting, Long inFlight, Long deadLetters, String problem) {}

  /** One worker of the pool, as its provider sees it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Worker(String id, String phase, String launchedAt, String lastSeen) {}

  /** The pool; {@code workers} null when it could not be listed ({@code problem} says why). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Pool(String cloud, String name, List<Worker> workers, String problem) {}

  /**
   * Everything shown; {@code pool} null without --cloud, {@code replyQueuesProblem} null unless the
   * reply queues could not be listed.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Status(List<QueueStatus> queues, String replyQueuesProblem, Pool pool) {}

  /** A run's tasks, as {@code --run} shows them. */
  record RunStatus(String runId, String program, String started, String ended, Map<String, Long> tasks,
      List<Failure> lastFailures) {}

  /** A failed task: what it was and why. */
  record Failure(long taskId, String app, String state, String error) {}

  @Override
  public Integer call() {
    if (run != null) {
      return runStatus();
    }
    CommandLine commandLine = spec.commandLine();
    if (cloud == null && (!cloudSettings.isEmpty() || !clientSettings.isEmpty())) {
      throw new CommandLine.ParameterException(commandLine, "--cloud-setting and --client-setting go with --cloud");
    }
    if (cloud != null && service.transportGiven()) {
      throw new CommandLine.ParameterException(commandLine, "with --cloud the transport is the cloud's: "
          + "--transport and --setting do not apply");
    }
    Status status;
    if (cloud != null) {
      try (StandaloneDispatch dispatcher = CloudSettings.open(cloud, context, cloudSettings, clientSettings,
          commandLine)) {
        String task = service.queue != null ? service.queue : dispatcher.taskQueue();
        String vm = vmQueue != null ? vmQueue : dispatcher.vmQueue();
        status = status(dispatcher.transport(), task, vm, pool(dispatcher));
      }
    } else {
      try (Transport transport = service.open()) {
        status = status(transport, service.queue(context), vmQueue != null ? vmQueue
            : context.variable(VM_QUEUE_VARIABLE), null);
      }
    }
    if (json) {
      context.out().println(Json.write(status));
    } else {
      print(status);
    }
    return status.queues().get(0).problem() == null ? 0 : 1;
  }

  private int runStatus() {
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(database.resolve(context))) {
      RunRecord record = Runs.pick(reader, run.equals(LATEST) ? null : run);
      Map<String, Long> tasks = new LinkedHashMap<>();
      reader.stateCounts(record.runId()).forEach((state, count) -> tasks.put(state.column(), count));
      List<Failure> failures = new ArrayList<>();
      for (TaskState state : List.of(TaskState.FAILED, TaskState.DEP_FAILED)) {
        long count = reader.count(record.runId(), TaskQuery.first(0).inState(state));
        int from = (int) Math.max(0, count - 5);
        reader.tasks(record.runId(), TaskQuery.first(5).inState(state).from(from)).forEach(task ->
            failures.add(new Failure(task.taskId(), task.app(), task.state().column(), task.error())));
      }
      RunStatus status = new RunStatus(record.runId(), record.program(), record.started().toString(),
          record.ended() == null ? null : record.ended().toString(), tasks, failures);
      if (json) {
        context.out().println(Json.write(status));
        return 0;
      }
      context.out().printf("run %s (%s): started %s, %s%n", status.runId(), status.program(), status.started(),
          status.ended() == null ? "still running" : "ended " + status.ended());
      Table table = new Table("STATE", ">TASKS");
      tasks.forEach((state, count) -> table.row(state, String.valueOf(count)));
      table.print(context.out());
      if (!failures.isEmpty()) {
        context.out().println();
        Table failed = new Table(">TASK", "APP", "STATE", "ERROR");
        failures.forEach(failure -> failed.row(String.valueOf(failure.taskId()), failure.app(), failure.state(),
            failure.error() == null ? "" : failure.error()));
        failed.print(context.out());
      }
      return 0;
    }
  }

  private Status status(Transport transport, String taskQueue, String vm, Pool pool) {
    List<QueueStatus> queues = new ArrayList<>();
    queues.add(queue(transport, "task", taskQueue));
    if (vm != null) {
      queues.add(queue(transport, "vm", vm));
    }
    String replyNote = null;
    try {
      for (String reply : Failures.await(transport.listQueues(REPLY_PREFIX), "list the reply queues")) {
        queues.add(queue(transport, "reply", reply));
      }
    } catch (RuntimeException e) {
      replyNote = "reply queues not listed: " + Failures.describe(e);
    }
    return new Status(queues, replyNote, pool);
  }

  private static QueueStatus queue(Transport transport, String role, String nameOrAddress) {
    String address;
    QueueDepth depth;
    try {
      address = Failures.await(transport.resolveQueue(nameOrAddress), "find the queue " + nameOrAddress);
      depth = Failures.await(transport.depth(address), "read the depth of " + address);
    } catch (RuntimeException e) {
      return new QueueStatus(role, nameOrAddress, null, null, null, Failures.describe(e));
    }
    Long deadLetters = null;
    String problem = null;
    try {
      String deadLetterQueue = Failures.await(transport.deadLetterAddress(address), "find its dead-letter queue");
      deadLetters = Failures.await(transport.depth(deadLetterQueue), "count its dead letters").total();
    } catch (TransportException e) {
      // A queue without a dead-letter queue (a reply queue, say) has no count, and that is no problem.
      if (e.retryable()) {
        problem = "dead letters not counted: " + Failures.describe(e);
      }
    } catch (RuntimeException e) {
      problem = "dead letters not counted: " + Failures.describe(e);
    }
    return new QueueStatus(role, address, depth.visible(), depth.inFlight(), deadLetters, problem);
  }

  private Pool pool(StandaloneDispatch dispatcher) {
    try {
      List<Worker> workers = dispatcher.pool().stream().map(StatusCommand::worker).toList();
      return new Pool(cloud.toString(), dispatcher.poolName(), workers, null);
    } catch (RuntimeException e) {
      return new Pool(cloud.toString(), dispatcher.poolName(), null, Failures.describe(e));
    }
  }

  private static Worker worker(WorkerInstance instance) {
    return new Worker(instance.id(), instance.state().name().toLowerCase(java.util.Locale.ROOT),
        instance.launchedAt() == null ? null : instance.launchedAt().toString(),
        instance.lastSeen() == null ? null : instance.lastSeen().toString());
  }

  private void print(Status status) {
    Table queues = new Table("ROLE", "QUEUE", ">WAITING", ">IN FLIGHT", ">DEAD LETTERS");
    List<String> problems = new ArrayList<>();
    for (QueueStatus queue : status.queues()) {
      queues.row(queue.role(), queue.address(), queue.waiting(), queue.inFlight(), queue.deadLetters());
      if (queue.problem() != null) {
        problems.add(queue.role() + " queue " + queue.address() + ": " + queue.problem());
      }
    }
    queues.print(context.out());
    if (status.replyQueuesProblem() != null) {
      problems.add(status.replyQueuesProblem());
    }
    problems.forEach(problem -> context.out().println("! " + problem));
    Pool pool = status.pool();
    context.out().println();
    if (pool == null) {
      context.out().println("pool: not shown (give --cloud aws|azure with its dispatcher's settings)");
    } else if (pool.workers() == null) {
      context.out().println("pool " + pool.name() + " (" + pool.cloud() + "): not listed: " + pool.problem());
    } else {
      long running = pool.workers().stream().filter(w -> w.phase().equals("running")).count();
      context.out().println("pool " + pool.name() + " (" + pool.cloud() + "): " + pool.workers().size()
          + " worker(s), " + running + " running, " + (pool.workers().size() - running) + " pending");
      if (!pool.workers().isEmpty()) {
        Table workers = new Table("WORKER", "PHASE", "LAUNCHED", "LAST SEEN");
        pool.workers().forEach(w -> workers.row(w.id(), w.phase(), w.launchedAt(), w.lastSeen()));
        workers.print(context.out());
      }
    }
    context.out().flush();
  }
}
