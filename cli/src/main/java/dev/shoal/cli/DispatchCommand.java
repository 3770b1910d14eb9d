package dev.shoal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.dispatcher.ScalingReport;
import dev.shoal.dispatcher.StandaloneDispatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code shoal dispatch}: the dispatcher's scaling step, once or in a loop, configured as the
 * Lambda or the Function is (their environment variables, overridden by --setting), printing each
 * step's decision and reason.
 */
@Command(name = "dispatch", header = "Runs a cloud dispatcher's scaling step, once or in a loop.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = {"Runs one scaling step of a cloud's dispatcher, as its function does on each invocation: reads "
        + "the task queue's depth, ends stuck and silent workers, decides, launches, turns the burst on or off; "
        + "then prints the decision and its reason. With --loop, one step every --every until interrupted.",
        "The settings are the function's environment variables: aws: SHOAL_TASK_QUEUE_URL, SHOAL_POOL, "
            + "SHOAL_LAUNCH_TEMPLATE_ID, SHOAL_WORKER_JAR_URL, ... (DispatcherSettings); azure: SHOAL_TASK_QUEUE, "
            + "SHOAL_SCALE_SET_ID, SHOAL_WORKER_JAR_URL, SHOAL_TRANSPORT_SETTING_<key>, ... (FunctionSettings); "
            + "both: SHOAL_MIN_WORKERS, SHOAL_MAX_WORKERS, SHOAL_SLOTS_PER_WORKER, ... (PoolSettings)."})
final class DispatchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long an interrupted loop lets the step under way finish (a launch half done helps nobody). */
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final CliContext context;

  @Spec
  CommandSpec spec;

  @Option(names = "--cloud", paramLabel = "aws|azure", description = "Whose dispatcher (default: $SHOAL_CLOUD).")
  Cloud cloud;

  @Option(names = "--setting", paramLabel = "KEY=VALUE",
      description = "Sets one of the function's environment variables for this run, over the process's; repeatable.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--client-setting", paramLabel = "KEY=VALUE",
      description = "aws: a setting of the AWS clients (endpoint, region, credentials=static), as the sqs "
          + "transport's --setting; the region defaults to $AWS_REGION, as in the Lambda.")
  Map<String, String> clientSettings = new LinkedHashMap<>();

  @Option(names = "--loop", description = "Keep stepping, every --every, until interrupted (or --steps).")
  boolean loop;

  @Option(names = "--every", paramLabel = "SPAN", converter = DurationConverter.class,
      description = "With --loop: the time from one step's start to the next's, e.g. 10s, 2m (default: 1m, "
          + "the functions' schedule).")
  Duration every;

  @Option(names = "--steps", paramLabel = "N", description = "With --loop: stop after N steps.")
  Integer steps;

  @Option(names = "--json", description = "Print each step's report as one line of JSON.")
  boolean json;

  DispatchCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws InterruptedException {
    CommandLine commandLine = spec.commandLine();
    if (!loop && (every != null || steps != null)) {
      throw new CommandLine.ParameterException(commandLine, "--every and --steps go with --loop");
    }
    if (every != null && (every.isNegative() || every.isZero())) {
      throw new CommandLine.ParameterException(commandLine, "--every must be positive");
    }
    if (steps != null && steps < 1) {
      throw new CommandLine.ParameterException(commandLine, "--steps must be at least 1");
    }
    Cloud chosen = CloudSettings.cloud(cloud, context, commandLine);
    try (StandaloneDispatch dispatcher = CloudSettings.open(chosen, context, settings, clientSettings, commandLine)) {
      return loop ? loop(dispatcher, every == null ? Duration.ofMinutes(1) : every) : step(dispatcher) ? 0 : 1;
    }
  }

  /** One step, printed; false when it failed (its error printed). */
  private boolean step(StandaloneDispatch dispatcher) {
    ScalingReport report;
    try {
      report = dispatcher.evaluate();
    } catch (RuntimeException e) {
      context.err().println("shoal dispatch: step failed: " + Failures.describe(e));
      context.err().flush();
      return false;
    }
    context.out().println(json ? json(report) : line(Instant.now(Clock.systemUTC()), report));
    context.out().flush();
    return true;
  }

  /** The step's line: the decision and its reason, and the workers it launched or ended. */
  static String line(Instant at, ScalingReport report) {
    List<String> parts = new ArrayList<>(List.of(report.reason()));
    if (!report.launched().isEmpty()) {
      parts.add("launched " + String.join(" ", report.launched()));
    }
    if (!report.terminatedStuck().isEmpty()) {
      parts.add("ended (never polled) " + String.join(" ", report.terminatedStuck()));
    }
    if (!report.terminatedSilent().isEmpty()) {
      parts.add("ended (silent) " + String.join(" ", report.terminatedSilent()));
    }
    return at + " " + String.join("; ", parts);
  }

  private static String json(ScalingReport report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Steps until interrupted (SIGINT, SIGTERM: the JVM's shutdown, which waits for the step under
   * way) or until --steps; a failed step is printed and the next one tries again, as the function's
   * next invocation would. Exits 1 when the last step failed.
   */
  private int loop(StandaloneDispatch dispatcher, Duration period) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        stopped.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "shoal-dispatch-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean lastOk = true;
    long startOfLast = 0;
    try {
      for (int done = 0; steps == null || done < steps; done++) {
        if (done > 0) {
          long wait = period.toNanos() - (System.nanoTime() - startOfLast);
          if (stop.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
            break;
          }
        }
        startOfLast = System.nanoTime();
        lastOk = step(dispatcher);
      }
    } finally {
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is what ended the loop.
      }
    }
    return lastOk ? 0 : 1;
  }
}
