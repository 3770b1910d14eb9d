package dev.shoal.bench.chaos;

import dev.shoal.AppFuture;
import dev.shoal.bench.BenchApps;
import dev.shoal.executor.PayloadTooLargeException;
import dev.shoal.executor.WorkerFailureException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs of real tasks through the local queue path with faults injected on purpose, each reporting
 * a {@link ChaosOutcome}: a worker killed every few seconds, the queue service unreachable, the
 * service throttling and failing, hostile messages mixed into the task queue. Used by the chaos
 * test (small) and by {@code bench/run.sh chaos} (large).
 */
public final class ChaosRun {
  private static final Duration DEADLINE = Duration.ofMinutes(10);

  private ChaosRun() {}

  /** Kills a random worker every {@code every} (SIGKILL) and starts a new one in its place. */
  public static ChaosOutcome workerKills(Path runDir, int tasks, Duration every) throws Exception {
    Instant started = Instant.now();
    ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger kills = new AtomicInteger();
    try (ChaosStack stack = ChaosStack.start(runDir, 3, ChaosStack.Faults.none())) {
      Submitted run = submit(stack, tasks, 30);
      killer.scheduleWithFixedDelay(() -> {
        if (stack.killOne()) {
          kills.incrementAndGet();
          stack.launch(1);
        }
      }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
      run.await();
      killer.shutdownNow();
      return run.outcome("worker killed every " + every.toSeconds() + " s", stack, started,
          kills.get() + " workers killed with SIGKILL");
    } finally {
      killer.shutdownNow();
    }
  }

  /** Cuts the service off for {@code length} in the middle of the run: half refused, half stalled. */
  public static ChaosOutcome queueUnreachable(Path runDir, int tasks, Duration length) throws Exception {
    Instant started = Instant.now();
    try (ChaosStack stack = ChaosStack.start(runDir, 2, new ChaosStack.Faults(true, null, null, 0))) {
      Submitted run = submit(stack, tasks, 2);
      run.awaitThird();
      stack.proxy.mode(ChaosProxy.Mode.OUTAGE);
      Thread.sleep(length.toMillis() / 2); // the outage itself: its length is what is injected
      stack.proxy.mode(ChaosProxy.Mode.STALL);
      Thread.sleep(length.toMillis() / 2);
      stack.proxy.mode(ChaosProxy.Mode.PASS);
      run.await();
      return run.outcome("queue service unreachable " + length.toSeconds() + " s", stack, started,
          "connections refused for " + length.toSeconds() / 2 + " s, then stalled for " + length.toSeconds() / 2 + " s");
    }
  }

  /** A share of all calls, client's and workers', fail with throttling and 5xx errors for a while. */
  public static ChaosOutcome throttling(Path runDir, int tasks, Duration length, double rate) throws Exception {
    Instant started = Instant.now();
    Instant from = started.plusSeconds(3);
    ChaosStack.Faults faults = new ChaosStack.Faults(false, from, from.plus(length), rate);
    try (ChaosStack stack = ChaosStack.start(runDir, 2, faults)) {
      Submitted run = submit(stack, tasks, 2);
      run.await();
      return run.outcome("throttling and 5xx", stack, started,
          String.format("%.0f %% of calls failed (429 or 503) for %d s", rate * 100, length.toSeconds()));
    }
  }

  /**
   * Poison, forged, malformed, empty and oversized messages mixed into a run: its own tasks must all
   * surface, the poison task must fail saying it was dead-lettered, the oversized one at once.
   */
  public static ChaosOutcome hostileMessages(Path runDir, int tasks) throws Exception {
    Instant started = Instant.now();
    try (ChaosStack stack = ChaosStack.start(runDir, 2, ChaosStack.Faults.none())) {
      stack.keepAlive(2);
      // The poison first, alone. A task that runs beside it on a worker dies with that worker, and
      // after enough such deaths is dead-lettered as poison itself: a known gap (README), kept out
      // of this scenario so that what it measures is the hostile messages.
      AppFuture<Long> poison = stack.dfk.call(BenchApps.CRASH, 137L);
      String poisonSays = failure(poison);
      AppFuture<Long> oversized = stack.dfk.call(BenchApps.LENGTH, "x".repeat(300 * 1024));
      Submitted run = submit(stack, tasks, 2);
      // A task still running when a forged envelope naming it arrives: the forgery must not end it.
      AppFuture<Long> victim = stack.dfk.call(BenchApps.WORK, 1_000L, 8_000L);
      String replies = stack.executor.replyQueue();
      List<byte[]> hostile = List.of(
          "not json at all".getBytes(StandardCharsets.UTF_8),
          "{\"v\":1,\"kind\":\"tasks\",\"tasks\":[]}".getBytes(StandardCharsets.UTF_8),
          "{\"v\":99,\"kind\":\"tasks\",\"tasks\":[{}]}".getBytes(StandardCharsets.UTF_8),
          ("{\"v\":1,\"kind\":\"tasks\",\"tasks\":[{\"v\":1,\"id\":" + victim.taskId() + ",\"run\":\"" + stack.dfk.runId()
              + "\",\"app\":\"bench.work\",\"args\":[1000,0],\"attempt\":1,\"reply\":\"" + replies
              + "\",\"sig\":\"forged\"}]}").getBytes(StandardCharsets.UTF_8));
      stack.transport.send(stack.executor.taskQueue(), hostile).join();
      run.await();
      // The two bad tasks of the program fail, each saying why; anything else counts as lost.
      String oversizedSays = failure(oversized);
      String victimSays = failure(victim);
      if (!victimSays.equals("completed 2000")) {
        run.lost.incrementAndGet();
      }
      if (!poisonSays.startsWith(WorkerFailureException.class.getSimpleName()) || !poisonSays.contains("dead-letter")) {
        run.lost.incrementAndGet();
      }
      if (!oversizedSays.startsWith(PayloadTooLargeException.class.getSimpleName())) {
        run.lost.incrementAndGet();
      }
      return run.outcome("hostile messages", stack, started,
          "a poison task (" + poisonSays + "), an oversized argument (" + oversizedSays
              + "), a forged envelope naming a running task (which " + victimSays
              + "), malformed, empty and wrong-version messages");
    }
  }

  /**
   * Kills a user's program (a JVM of its own, on the local default, with a checkpoint) with SIGKILL
   * a third of the way through, then runs it again from its checkpoint: the second run must give
   * every right answer, reuse what the first finished, and the first run's workers must be gone.
   */
  public static ChaosOutcome clientKilled(Path runDir, int tasks) throws Exception {
    Instant started = Instant.now();
    Path checkpoint = runDir.resolve("run.checkpoint");
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        CheckpointedClient.class.getName(), runDir.toString(), checkpoint.toString(), Integer.toString(tasks), "20");
    Process first = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.PIPE).start();
    int doneBeforeKill = 0;
    try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(first.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("done ")) {
          doneBeforeKill = Integer.parseInt(line.substring(5));
          if (doneBeforeKill >= tasks / 3) {
            break;
          }
        }
      }
    }
    List<ProcessHandle> orphans = first.descendants().toList();
    first.destroyForcibly();
    first.waitFor(30, TimeUnit.SECONDS);

    Process second = new ProcessBuilder(command).redirectErrorStream(true).start();
    int right = 0;
    long reused = 0;
    try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(second.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("right ")) {
          right = Integer.parseInt(line.substring(6));
        } else if (line.startsWith("reused ")) {
          reused = Long.parseLong(line.substring(7));
        }
      }
    }
    second.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    int left = 0;
    for (ProcessHandle orphan : orphans) {
      try {
        orphan.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // still alive
      }
      if (orphan.isAlive()) {
        left++;
        orphan.destroyForcibly(); // the scenario failed; do not leave it behind
      }
    }
    // Reuse below what the first run finished means the checkpoint lost results; counted as lost.
    int lost = tasks - right + (reused < doneBeforeKill ? 1 : 0);
    return new ChaosOutcome("client killed and re-run", tasks, right, lost, 0, 0, left,
        Duration.between(started, Instant.now()), "SIGKILL after " + doneBeforeKill + " results; the re-run reused "
            + reused + " from the checkpoint; " + orphans.size() + " worker processes of the killed client", List.of());
  }

  private static String failure(AppFuture<?> future) {
    try {
      future.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      return "completed " + future.join();
    } catch (ExecutionException e) {
      return e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static Submitted submit(ChaosStack stack, int tasks, long millis) {
    Submitted run = new Submitted(stack, tasks);
    for (int i = 0; i < tasks; i++) {
      long index = i;
      AppFuture<Long> future = stack.dfk.call(BenchApps.WORK, index, millis);
      future.whenComplete((value, error) -> {
        run.completions[(int) index].incrementAndGet();
        if (error == null && value == 2 * index) {
          run.surfaced.incrementAndGet();
          run.third.countDown();
        } else {
          run.failed(index, error == null ? "completed " + value : error.toString());
        }
      });
      run.futures.add(future);
    }
    return run;
  }

  /** The program's view of a run: its futures and how each completed. */
  private static final class Submitted {
    final ChaosStack stack;
    final List<AppFuture<Long>> futures = new ArrayList<>();
    final AtomicInteger[] completions;
    final AtomicInteger surfaced = new AtomicInteger();
    final AtomicInteger lost = new AtomicInteger();
    final CountDownLatch third;
    final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

    Submitted(ChaosStack stack, int tasks) {
      this.stack = stack;
      this.third = new CountDownLatch(Math.max(1, tasks / 3));
      this.completions = new AtomicInteger[tasks];
      for (int i = 0; i < tasks; i++) {
        completions[i] = new AtomicInteger();
      }
    }

    /** Keeps what the first few failed futures said, so that a failed scenario says why. */
    void failed(long index, String what) {
      if (failures.size() < 5) {
        failures.add("task " + index + ": " + what);
      }
    }

    /** Until a third of the tasks have surfaced: the run is well under way. */
    void awaitThird() throws InterruptedException {
      third.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    void await() throws InterruptedException {
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      for (AppFuture<Long> future : futures) {
        try {
          future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
          // counted as lost below
        }
      }
    }

    ChaosOutcome outcome(String scenario, ChaosStack stack, Instant started, String injected) {
      int duplicates = 0;
      for (AtomicInteger count : completions) {
        if (count.get() > 1) {
          duplicates++;
        }
      }
      long dropped = stack.executor.duplicatesDropped();
      int right = surfaced.get();
      stack.close();
      return new ChaosOutcome(scenario, futures.size(), right, futures.size() - right + lost.get(), duplicates,
          dropped, stack.leftRunning(), Duration.between(started, Instant.now()), injected, failures);
    }
  }
}
