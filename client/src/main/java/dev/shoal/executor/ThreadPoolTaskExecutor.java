package dev.shoal.executor;

import dev.shoal.internal.app.AppInvoker;
import dev.shoal.spi.Invocation;
import dev.shoal.spi.RunContext;
import dev.shoal.spi.TaskExecutor;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs apps on a fixed pool of threads in this JVM, like Parsl's ThreadPoolExecutor. Arguments
 * and results are passed as objects, without JSON.
 */
public final class ThreadPoolTaskExecutor implements TaskExecutor {
  private final String label;
  private final int threads;
  private final String threadNamePrefix;
  private final Set<Thread> poolThreads = ConcurrentHashMap.newKeySet();
  private volatile boolean cancelled;
  private RunContext context;
  private ExecutorService pool;

  private ThreadPoolTaskExecutor(Builder builder) {
    this.label = builder.label;
    this.threads = builder.threads;
    this.threadNamePrefix = builder.threadNamePrefix != null ? builder.threadNamePrefix : "shoal-" + label + "-";
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A pool labelled "threads" with one thread per core. */
  public static ThreadPoolTaskExecutor create() {
    return builder().build();
  }

  @Override
  public String label() {
    return label;
  }

  public int threads() {
    return threads;
  }

  @Override
  public synchronized void start(RunContext context) {
    if (pool != null) {
      throw new IllegalStateException("executor " + label + " was already started, by run " + this.context.runId()
          + ": an executor serves one kernel, so give each kernel (each build() of a kernel builder) its own");
    }
    this.context = context;
    AtomicInteger count = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        runnable -> {
          Thread thread = new Thread(() -> {
            try {
              runnable.run();
            } finally {
              poolThreads.remove(Thread.currentThread());
            }
          }, threadNamePrefix + count.incrementAndGet());
          thread.setDaemon(true);
          poolThreads.add(thread);
          return thread;
        });
  }

  @Override
  public void submit(Invocation invocation) {
    try {
      pool.execute(() -> run(invocation));
    } catch (RejectedExecutionException e) {
      // Shut down meanwhile (a cancelling close racing a retry or a task that just became ready):
      // fail the invocation rather than drop it, or its task would never finish.
      invocation.failed(new CancellationException("executor " + label + " was shut down before task "
          + invocation.taskId() + " started"));
    }
  }

  private void run(Invocation invocation) {
    if (cancelled) {
      invocation.failed(new CancellationException("executor " + label + " was shut down before task "
          + invocation.taskId() + " started"));
      return;
    }
    if (!invocation.started()) {
      return;
    }
    Object result;
    Instant started = Instant.now();
    try {
      result = AppInvoker.run(invocation.app(), invocation.taskId(), invocation.args(), context.taskDir(invocation));
    } catch (Throwable error) {
      if (error instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      invocation.ranOn(Thread.currentThread().getName(), null, started, Instant.now());
      invocation.failed(error);
      return;
    } finally {
      if (cancelled) {
        Thread.interrupted(); // the interrupt was meant for the task that just ended
      }
    }
    invocation.ranOn(Thread.currentThread().getName(), null, started, Instant.now());
    invocation.succeeded(result);
  }

  @Override
  public void shutdown(boolean cancel) {
    if (cancel) {
      cancelled = true;
      // Queued invocations still run, see the flag and fail fast; running ones get interrupted.
      poolThreads.forEach(Thread::interrupt);
    }
    if (pool != null) {
      pool.shutdown();
    }
  }

  @Override
  public void close() {
    shutdown(false);
    if (pool == null) {
      return;
    }
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, TimeUnit.DAYS)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "ThreadPoolTaskExecutor[" + label + ", " + threads + " threads]";
  }

  /** Configuration of a thread-pool executor; each {@link #build()} gives a new, independent executor. */
  public static final class Builder {
    private String label = "threads";
    private int threads = Runtime.getRuntime().availableProcessors();
    private String threadNamePrefix;

    private Builder() {}

    public Builder label(String label) {
      this.label = Objects.requireNonNull(label, "label");
      return this;
    }

    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1: " + threads);
      }
      this.threads = threads;
      return this;
    }

    public Builder threadNamePrefix(String prefix) {
      this.threadNamePrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    public ThreadPoolTaskExecutor build() {
      return new ThreadPoolTaskExecutor(this);
    }
  }
}
