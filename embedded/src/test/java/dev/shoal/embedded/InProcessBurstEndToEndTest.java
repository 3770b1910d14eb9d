package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.aws.SqsClients;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.Transport;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.testing.Await;
import dev.shoal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local burst: on a cold cluster, this JVM serves the first tasks while the worker JVMs start,
 * and stops once one polls. Worker JVMs start behind a gate the test opens (a launcher script that
 * waits for a file before it runs java), so that "before any worker JVM polls" is a fact of the
 * test, not a race.
 */
class InProcessBurstEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final long THIS_PID = ProcessHandle.current().pid();

  @TempDir
  Path runDir;

  private Path gate;
  private Path launcher;

  @BeforeEach
  void writeGatedLauncher() throws IOException {
    gate = runDir.resolve("gate-open");
    launcher = runDir.resolve("gated-java");
    // Waiting on a file is the worker's start being held back, not the test waiting for something.
    Files.writeString(launcher, "#!/bin/sh\nwhile [ ! -e \"$SHOAL_TEST_GATE\" ]; do sleep 0.05; done\n"
        + "exec \"$SHOAL_TEST_JAVA\" \"$@\"\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
  }

  /** A pool autoscaled from 0 to 1 worker JVM, started through the gate. */
  private LocalCluster.Builder coldCluster() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return LocalCluster.builder()
        .minWorkers(0)
        .maxWorkers(1)
        .logDir(runDir.resolve("workers"))
        .configure(builder -> builder.taskTimeout(WAIT))
        .configureWorkers(builder -> builder.javaCommand(launcher.toString())
            .environment("SHOAL_TEST_GATE", gate.toString())
            .environment("SHOAL_TEST_JAVA", java));
  }

  private void openGate() throws IOException {
    Files.createFile(gate);
  }

  private static long polling(LocalCluster cluster) {
    return cluster.workers().list().stream().filter(worker -> worker.state() == WorkerInstance.State.RUNNING).count();
  }

  private static Set<Long> workerPids(LocalCluster cluster) {
    return cluster.workers().list().stream()
        .map(worker -> cluster.workers().process(worker.id()).map(ProcessHandle::pid).orElse(-1L))
        .collect(Collectors.toSet());
  }

  @Test
  void theFirstTaskOfAColdClusterRunsInThisJvmAndTheBurstStopsOnceAWorkerJvmPolls() throws Exception {
    LocalCluster cluster = coldCluster().build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      long first = dfk.call(EndToEndApps.SLEEP_THEN_PID, 0L).get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(first).as("the pid of the process that ran the first task").isEqualTo(THIS_PID);
      assertThat(cluster.workers().list()).as("worker JVMs launched, none of them polling (the gate is shut)")
          .isNotEmpty().allMatch(worker -> worker.state() == WorkerInstance.State.PENDING);
      Worker inProcess = cluster.burst().current();
      assertThat(inProcess.isTerminated()).isFalse();

      openGate();
      Await.until(WAIT, () -> polling(cluster) > 0, () -> "a worker JVM to poll");
      Await.until(WAIT, inProcess::isTerminated, () -> "the in-process worker to stop once a worker JVM polls");

      List<AppFuture<Long>> later = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        later.add(dfk.call(EndToEndApps.SLEEP_THEN_PID, 0L));
      }
      Set<Long> pids = workerPids(cluster);
      for (AppFuture<Long> task : later) {
        assertThat(task.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("ran on a worker JVM").isIn(pids);
      }
      assertThat(cluster.burst().started()).as("in-process workers started").isOne();
    }
  }

  /**
   * The hybrid's routing rehearsed locally: the in-process burst stands for the functions and serves
   * the task queue alone, the worker JVMs serve the VM-only queue too. An app that may not run in a
   * function waits for a worker JVM while the others run at once.
   */
  @Test
  void aTaskThatMayNotRunInAFunctionWaitsForAWorkerJvmWhileTheBurstRunsTheOthers() throws Exception {
    LocalCluster cluster = coldCluster().vmQueue("shoal-vm-tasks").build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      AppFuture<Long> vmOnly = dfk.call(EndToEndApps.VM_ONLY_PID, 0L);
      long burst = dfk.call(EndToEndApps.SLEEP_THEN_PID, 0L).get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(burst).as("the pid of the process that ran the fitting task").isEqualTo(THIS_PID);
      assertThat(vmOnly).as("the VM-only task, with the gate shut").isNotDone();
      assertThat(cluster.workers().list()).isNotEmpty().allMatch(worker -> worker.state() == WorkerInstance.State.PENDING);

      openGate();
      long pid = vmOnly.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(pid).as("ran on a worker JVM").isNotEqualTo(THIS_PID).isIn(workerPids(cluster));
    }
  }

  @Test
  void withTheBurstOffTheFirstTaskWaitsForAWorkerJvm() throws Exception {
    LocalCluster cluster = coldCluster().inProcessBurst(false).build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      AppFuture<Long> first = dfk.call(EndToEndApps.SLEEP_THEN_PID, 0L);
      Await.until(WAIT, () -> !cluster.workers().list().isEmpty(), () -> "a worker JVM to be launched");
      openGate();

      long pid = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(pid).isNotEqualTo(THIS_PID).isIn(workerPids(cluster));
      assertThat(polling(cluster)).isOne();
      assertThat(cluster.burst()).isNull();
    }
  }

  @Test
  void nothingIsLostWhenTheBurstHandsOverToTheWorkerJvms() throws Exception {
    LocalCluster cluster = coldCluster().build();
    int tasks = 60;
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      List<AppFuture<Long>> burst = new ArrayList<>();
      for (int i = 0; i < tasks; i++) {
        burst.add(dfk.call(EndToEndApps.SLEEP_THEN_PID, 100L));
      }
      Await.until(WAIT, () -> burst.stream().filter(AppFuture::isDone).count() >= 4,
          () -> "4 tasks to complete with the gate shut");
      for (AppFuture<Long> task : burst) {
        if (task.isDone()) {
          assertThat(task.get()).as("a task done before any worker JVM could poll").isEqualTo(THIS_PID);
        }
      }
      openGate();

      Map<Long, Long> perProcess = new java.util.HashMap<>();
      for (AppFuture<Long> task : burst) {
        perProcess.merge(task.get(WAIT.toSeconds(), TimeUnit.SECONDS), 1L, Long::sum);
      }
      assertThat(perProcess.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(tasks);
      assertThat(perProcess).containsKey(THIS_PID);
      assertThat(dfk.stats().succeeded()).isEqualTo(tasks);
      assertThat(dfk.stats().failed()).isZero();

      Await.until(WAIT, () -> cluster.burst().current().isTerminated(), () -> "the in-process worker to stop");
      try (Transport transport = SqsClients.transport(Map.of(SqsClients.ENDPOINT, cluster.endpoint().toString(),
          SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static"))) {
        String dlq = transport.queueAddress(QueueOptions.deadLetterName("shoal-tasks")).join();
        QueueDepth deadLetters = transport.depth(dlq).join();
        assertThat(deadLetters.total()).as("dead letters").isZero();
        Await.until(WAIT, () -> transport.depth(cluster.executor().taskQueue()).join().total() == 0,
            () -> "every task message to be acknowledged");
      }
    }
  }

  @Test
  void closingTheClusterStopsTheInProcessWorkerItIsRunning() throws Exception {
    LocalCluster cluster = coldCluster().build();
    Worker inProcess;
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      assertThat(dfk.call(EndToEndApps.SLEEP_THEN_PID, 0L).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(THIS_PID);
      inProcess = cluster.burst().current();
      assertThat(inProcess.isTerminated()).as("serving while the gate keeps worker JVMs from polling").isFalse();
    }

    assertThat(inProcess.isTerminated()).as("the in-process worker stopped by close()").isTrue();
    assertThat(Thread.getAllStackTraces().keySet()).as("threads of an in-process worker")
        .noneMatch(thread -> thread.isAlive() && thread.getName().startsWith("shoal-worker-"));
    assertThat(cluster.workers().list()).as("worker JVMs").isEmpty();
  }
}
