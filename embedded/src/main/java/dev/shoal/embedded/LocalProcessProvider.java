package dev.shoal.embedded;

import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.worker.WorkerOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs workers as JVM processes on this machine, with this JVM's class path (so they find the same
 * apps), for local runs and tests. Stopping a worker sends it SIGTERM, so it finishes or releases
 * what it holds; whatever is still alive after the grace period is killed. Workers do not outlive
 * this JVM: each runs with {@code --exit-with-parent} and its stdin a pipe that this JVM holds open
 * and never writes to; when this JVM dies, even by SIGKILL, the system closes the pipe and the
 * workers stop as cleanly as on SIGTERM.
 */
public final class LocalProcessProvider implements ComputeProvider {
  private static final Logger log = LoggerFactory.getLogger(LocalProcessProvider.class);

  private final WorkerOptions options;
  private final String javaCommand;
  private final String classPath;
  private final List<String> jvmArgs;
  private final Map<String, String> environment;
  private final Path logDir;
  private final Duration stopGrace;
  private final Map<String, LocalWorker> workers = new ConcurrentHashMap<>();
  /** Told, on a worker's output thread, each time a worker turns ready (polls). */
  private final List<Runnable> readyListeners = new CopyOnWriteArrayList<>();
  private volatile WorkerLifecycle lifecycle = WorkerLifecycle.NONE;
  private volatile boolean closed;

  private LocalProcessProvider(Builder builder) {
    this.options = Objects.requireNonNull(builder.options, "a local process provider needs worker options");
    this.javaCommand = builder.javaCommand;
    this.classPath = builder.classPath;
    this.jvmArgs = List.copyOf(builder.jvmArgs);
    this.environment = Map.copyOf(builder.environment);
    this.logDir = builder.logDir;
    this.stopGrace = builder.stopGrace;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public synchronized List<WorkerInstance> launch(int count) {
    if (closed) {
      throw new IllegalStateException("provider is closed");
    }
    List<WorkerInstance> launched = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      launched.add(start());
    }
    return launched;
  }

  private WorkerInstance start() {
    try {
      Files.createDirectories(logDir);
      List<String> command = new ArrayList<>();
      command.add(javaCommand);
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(classPath);
      String name = "local-" + System.nanoTime();
      command.add(WorkerOptions.MAIN_CLASS);
      command.addAll(options.withWorkerId(name).withExitWithParent(true).arguments());
      ProcessBuilder builder = new ProcessBuilder(command)
          // Held open by the Process object for as long as this JVM lives: its end tells the worker we are gone.
          .redirectInput(ProcessBuilder.Redirect.PIPE)
          .redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolve(name + ".log").toFile()));
      builder.environment().putAll(environment);
      Process process = builder.start();
      LocalWorker worker = new LocalWorker(name, process, Instant.now());
      workers.put(name, worker);
      Thread reader = new Thread(() -> watch(worker), "shoal-" + name + "-stdout");
      reader.setDaemon(true);
      reader.start();
      log.info("started worker {} (pid {})", name, process.pid());
      lifecycle.started(name, "worker JVM, pid " + process.pid());
      return worker.instance();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a worker process with " + javaCommand, e);
    }
  }

  // The worker prints a line with "ready" once it polls; everything it prints is kept in the log.
  private void watch(LocalWorker worker) {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(worker.process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (!worker.ready && line.contains("ready")) {
          worker.ready = true; // before the listeners, who read it through list()
          for (Runnable listener : readyListeners) {
            try {
              listener.run();
            } catch (RuntimeException e) {
              // This thread must keep draining the worker's output, or the worker blocks writing it.
              log.warn("{}: a ready listener failed", worker.id, e);
            }
          }
        }
        log.debug("{}: {}", worker.id, line);
      }
    } catch (IOException e) {
      log.debug("{}: stdout closed: {}", worker.id, e.toString());
    }
    try {
      int exit = worker.process.waitFor();
      workers.remove(worker.id, worker);
      log.info("worker {} exited with code {}", worker.id, exit);
      lifecycle.ended(worker.id, "exit code " + exit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Tells {@code lifecycle} of every worker this provider starts and sees end, from now on. */
  void lifecycle(WorkerLifecycle lifecycle) {
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
  }

  /** Runs {@code listener} each time a worker turns {@link WorkerInstance.State#RUNNING} (it polls); it must be quick. */
  void addReadyListener(Runnable listener) {
    readyListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public List<WorkerInstance> list() {
    List<WorkerInstance> alive = new ArrayList<>();
    for (LocalWorker worker : workers.values()) {
      if (worker.process.isAlive()) {
        alive.add(worker.instance());
      }
    }
    return alive;
  }

  /** The process of a worker, for tests that need to kill one the hard way. */
  public Optional<ProcessHandle> process(String workerId) {
    LocalWorker worker = workers.get(workerId);
    return worker == null ? Optional.empty() : Optional.of(worker.process.toHandle());
  }

  @Override
  public void terminate(Collection<String> workerIds) {
    for (String id : workerIds) {
      LocalWorker worker = workers.get(id);
      if (worker != null) {
        worker.process.destroy();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    List<LocalWorker> stopping = new ArrayList<>(workers.values());
    stopping.forEach(worker -> worker.process.destroy());
    long deadline = System.nanoTime() + stopGrace.toNanos();
    for (LocalWorker worker : stopping) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!worker.process.waitFor(left, TimeUnit.NANOSECONDS)) {
          log.warn("worker {} did not stop within {}; killing it", worker.id, stopGrace);
          worker.process.destroyForcibly();
          worker.process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        worker.process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    workers.clear();
  }

  private static final class LocalWorker {
    final String id;
    final Process process;
    final Instant launchedAt;
    volatile boolean ready;

    LocalWorker(String id, Process process, Instant launchedAt) {
      this.id = id;
      this.process = process;
      this.launchedAt = launchedAt;
    }

    WorkerInstance instance() {
      return new WorkerInstance(id, ready ? WorkerInstance.State.RUNNING : WorkerInstance.State.PENDING, launchedAt);
    }
  }

  /** Configuration of a local process provider. */
  public static final class Builder {
    private WorkerOptions options;
    private String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private String classPath = System.getProperty("java.class.path");
    // A small first heap: the JVM's default is 1/64 of the machine's memory (384 MiB of 24 GiB), and
    // a worker of small tasks touches all of its young generation before its first collection, so
    // that each worker held about 240 MiB resident for tasks that keep a few MiB alive. The heap
    // still grows to -Xmx for tasks that need it.
    private List<String> jvmArgs = List.of("-Xms32m", "-Xmx512m", "-XX:+UseSerialGC", "-Xshare:auto");
    private final Map<String, String> environment = new HashMap<>();
    private Path logDir = Path.of("runinfo", "workers");
    private Duration stopGrace = Duration.ofSeconds(40);

    private Builder() {}

    /** What each worker is started with (its worker id is set per process). */
    public Builder options(WorkerOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    public Builder javaCommand(String command) {
      this.javaCommand = Objects.requireNonNull(command, "command");
      return this;
    }

    /** The workers' class path (default: this JVM's), which must hold the apps and shoal-worker. */
    public Builder classPath(String classPath) {
      this.classPath = Objects.requireNonNull(classPath, "classPath");
      return this;
    }

    public Builder jvmArgs(List<String> args) {
      this.jvmArgs = List.copyOf(args);
      return this;
    }

    /** Environment variables for the workers, such as {@code SHOAL_SIGNING_KEY}. */
    public Builder environment(String name, String value) {
      environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Where each worker's log goes ({@code <worker id>.log}). */
    public Builder logDir(Path dir) {
      this.logDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** How long a stopped worker gets to finish or release its tasks before it is killed. */
    public Builder stopGrace(Duration grace) {
      this.stopGrace = Objects.requireNonNull(grace, "grace");
      return this;
    }

    public LocalProcessProvider build() {
      return new LocalProcessProvider(this);
    }
  }
}
