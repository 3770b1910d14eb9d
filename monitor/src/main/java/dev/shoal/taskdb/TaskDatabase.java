package dev.shoal.taskdb;

import dev.shoal.monitor.QueueSample;
import dev.shoal.monitor.RunEnd;
import dev.shoal.monitor.RunInfo;
import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.ScalingEvent;
import dev.shoal.monitor.TaskEvent;
import dev.shoal.monitor.WorkerEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a run in a SQLite file: the run, each task with its current state and the time of each
 * transition, every transition as a row of its own, the workers and the scaling decisions. It is
 * a {@link RunListener}: give it to the kernel ({@code DataFlowKernel.builder().listener(..)}).
 *
 * <p>Writes never happen on the task path: events are queued as they come and written in batches,
 * one transaction each, by a thread of this database. If the writer falls far behind (more than
 * {@link Builder#maxQueued} events waiting) further events are dropped and counted rather than
 * slow the run; {@link #dropped()} says how many. Closing writes everything queued.
 *
 * <p>One file holds any number of runs. It is in WAL mode, so readers (the dashboard, {@code shoal
 * status}) read while a run writes.
 */
public final class TaskDatabase implements RunListener {
  private static final Logger log = LoggerFactory.getLogger(TaskDatabase.class);

  private final Path file;
  private final Duration flushEvery;
  private final int maxQueued;
  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  /** Events written so far; with {@link #accepted} tells {@link #flush()} when it is done. */
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final Thread writerThread;
  private final BatchWriter writer;
  private final boolean argumentDigests;
  private volatile boolean running = true;
  private volatile Throwable failure;

  private TaskDatabase(Builder builder) {
    this.file = builder.file;
    this.flushEvery = builder.flushEvery;
    this.maxQueued = builder.maxQueued;
    this.argumentDigests = builder.argumentDigests;
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA journal_mode=WAL");
        statement.execute("PRAGMA synchronous=NORMAL");
        statement.execute("PRAGMA busy_timeout=5000");
        Schema.create(connection);
      } catch (SQLException e) {
        connection.close();
        throw e;
      }
      connection.setAutoCommit(false);
      this.writer = new BatchWriter(connection);
    } catch (SQLException e) {
      throw new TaskDatabaseException("cannot open the task database " + file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the folder of the task database " + file, e);
    }
    this.writerThread = new Thread(this::writeLoop, "shoal-taskdb-writer");
    writerThread.setDaemon(true);
    writerThread.start();
    log.info("task database: {}", file.toAbsolutePath());
  }

  /** A database in this file, created if missing, written every 200 ms. */
  public static TaskDatabase open(Path file) {
    return builder(file).build();
  }

  public static Builder builder(Path file) {
    return new Builder(file);
  }

  public Path file() {
    return file;
  }

  /** Events dropped because the writer was too far behind. */
  public long dropped() {
    return dropped.get();
  }

  @Override
  public boolean wantsArgumentDigests() {
    return argumentDigests;
  }

  @Override
  public void runStarted(RunInfo run) {
    offer(run);
  }

  @Override
  public void task(TaskEvent event) {
    offer(event);
  }

  @Override
  public void worker(WorkerEvent event) {
    offer(event);
  }

  @Override
  public void scaling(ScalingEvent event) {
    offer(event);
  }

  @Override
  public void queue(QueueSample sample) {
    offer(sample);
  }

  @Override
  public void runEnded(RunEnd end) {
    offer(end);
  }

  private void offer(Object event) {
    if (!running) {
      return;
    }
    if (queued.incrementAndGet() > maxQueued) {
      queued.decrementAndGet();
      if (dropped.getAndIncrement() == 0) {
        log.warn("task database {}: the writer is {} events behind; dropping events until it catches up",
            file, maxQueued);
      }
      return;
    }
    accepted.incrementAndGet();
    queue.add(event);
  }

  /**
   * Blocks until everything offered before this call is written (readers see it), or the timeout
   * passes.
   *
   * @return false on the timeout
   */
  public boolean flush(Duration timeout) {
    long target = accepted.get();
    long deadline = System.nanoTime() + timeout.toNanos();
    LockSupport.unpark(writerThread);
    while (written.get() < target) {
      if (failure != null || !writerThread.isAlive()) {
        return written.get() >= target;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(1_000_000);
    }
    return true;
  }

  private void writeLoop() {
    List<Object> batch = new ArrayList<>();
    while (true) {
      Object event;
      while ((event = queue.poll()) != null) {
        batch.add(event);
        if (batch.size() >= 50_000) {
          break;
        }
      }
      if (!batch.isEmpty()) {
        try {
          writer.write(batch);
        } catch (SQLException | RuntimeException e) {
          // A batch that cannot be written (a full disk, a locked file) is lost; the next may work.
          failure = e;
          log.warn("task database {}: could not write {} events: {}", file, batch.size(), e.toString());
        }
        queued.addAndGet(-batch.size());
        written.addAndGet(batch.size());
        batch.clear();
        continue;
      }
      if (!running) {
        return;
      }
      LockSupport.parkNanos(flushEvery.toNanos());
    }
  }

  /** Writes what is queued and closes the file. */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    LockSupport.unpark(writerThread);
    try {
      writerThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.close();
    if (dropped.get() > 0) {
      log.warn("task database {}: {} events were dropped while the writer was behind", file, dropped.get());
    }
  }

  @Override
  public String toString() {
    return "TaskDatabase[" + file + "]";
  }

  /** Configuration of a {@link TaskDatabase}. */
  public static final class Builder {
    private final Path file;
    private Duration flushEvery = Duration.ofMillis(200);
    private int maxQueued = 2_000_000;
    private boolean argumentDigests = true;

    private Builder(Path file) {
      this.file = Objects.requireNonNull(file, "file");
    }

    /** How long the writer waits for events before it writes what it has (default 200 ms). */
    public Builder flushEvery(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("flushEvery must be positive: " + interval);
      }
      this.flushEvery = interval;
      return this;
    }

    /** Events waiting to be written beyond which new ones are dropped (default 2,000,000). */
    public Builder maxQueued(int events) {
      if (events < 1) {
        throw new IllegalArgumentException("maxQueued must be >= 1: " + events);
      }
      this.maxQueued = events;
      return this;
    }

    /**
     * Whether to record the digest of each task's arguments (default yes): it encodes them on the
     * task path, a few microseconds a task, which only no-op tasks by the hundred thousand notice.
     */
    public Builder argumentDigests(boolean on) {
      this.argumentDigests = on;
      return this;
    }

    public TaskDatabase build() {
      return new TaskDatabase(this);
    }
  }
}
