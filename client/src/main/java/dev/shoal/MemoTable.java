package dev.shoal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.app.AppDefinition;
import dev.shoal.app.EncodingException;
import dev.shoal.internal.codec.JsonCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results a run may reuse instead of computing them: the futures of this run's memoizing
 * tasks, and the results a checkpoint file held when the run started. Of identical calls the
 * first runs and the others wait for it; results computed here go to the checkpoint file.
 */
final class MemoTable implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MemoTable.class);

  private final JsonCodec codec;
  /** Null without a checkpoint file. */
  private final Checkpoint checkpoint;
  /** Memo key to this run's future for it, or to a checkpointed result as JSON. */
  private final ConcurrentHashMap<String, Object> entries = new ConcurrentHashMap<>();
  private final LongAdder hits = new LongAdder();
  private final LongAdder checkpointHits = new LongAdder();
  private final long checkpointLoaded;

  private MemoTable(JsonCodec codec, Checkpoint checkpoint) {
    this.codec = codec;
    this.checkpoint = checkpoint;
    this.checkpointLoaded = checkpoint != null ? checkpoint.loaded().size() : 0;
    if (checkpoint != null) {
      entries.putAll(checkpoint.loaded());
    }
  }

  /** A memo for this run only. */
  static MemoTable inMemory(JsonCodec codec) {
    return new MemoTable(codec, null);
  }

  /** A memo that starts with the results in this file and appends every result computed. */
  static MemoTable withCheckpoint(Path file, JsonCodec codec) {
    return new MemoTable(codec, Checkpoint.open(file, codec));
  }

  /**
   * Finishes a memoizing task whose arguments are resolved from the memo, or has it finish with
   * an identical task already running.
   *
   * @param relaunch what to do with the task if the identical task it waited for fails
   * @return false when the task must run: identical calls now wait for it
   */
  boolean reuse(Task task, Consumer<Task> relaunch) {
    AppDefinition app = task.app;
    String key;
    try {
      key = task.memoKey(codec);
    } catch (EncodingException e) {
      task.finish(TaskState.FAILED, null, new EncodingException("app " + app.name()
          + " memoizes, so its arguments must be JSON-encodable: " + e.getMessage(), e));
      return true;
    }
    while (true) {
      Object prior = entries.putIfAbsent(key, task.future);
      if (prior == null) {
        return !holds(task, key);
      }
      if (prior instanceof JsonNode json) {
        Object value;
        try {
          value = codec.decode(json, app.resultType());
        } catch (EncodingException e) {
          log.warn("checkpointed result of {} no longer decodes, running it again: {}", app.name(), e.getMessage());
          if (entries.replace(key, json, task.future)) {
            return !holds(task, key);
          }
          continue; // an identical task replaced it first: reuse that one
        }
        finishReused(task, value, true);
        return true;
      }
      AppFuture<?> twin = (AppFuture<?>) prior;
      // The twin task's own outcome: its future may hold a value a user's timeout put there.
      twin.task().whenFinished((value, error) -> {
        if (error == null) {
          finishReused(task, value, false);
        } else if (task.state() == TaskState.PENDING) {
          relaunch.accept(task); // the twin failed and left the memo: compute it ourselves (unless cancelled meanwhile)
        }
      });
      return true;
    }
  }

  /**
   * Whether the task that just took the key still holds it. One cancelled meanwhile may have
   * finished before its key was in the table, so nothing took it out: identical calls would wait
   * for a future that failed, and their retries would find it again.
   */
  private boolean holds(Task task, String key) {
    if (task.state().isTerminal()) {
      entries.remove(key, task.future);
      return false;
    }
    return true;
  }

  private void finishReused(Task task, Object value, boolean fromCheckpoint) {
    // Counted before the future completes, so whoever waited for the task reads the count; taken
    // back if the task was finished meanwhile (cancelled while it waited for its twin).
    hits.increment();
    if (fromCheckpoint) {
      checkpointHits.increment();
    }
    if (!task.finishReused(value)) {
      hits.decrement();
      if (fromCheckpoint) {
        checkpointHits.decrement();
      }
    }
  }

  /**
   * Bookkeeping of a task that reached a terminal state, before its future completes (so a result
   * is in the checkpoint file before anyone sees it).
   */
  void finished(Task task, Object value, Throwable error) {
    String key = task.memoKey();
    if (key == null) {
      return; // not memoizing, or never launched
    }
    if (error != null) {
      entries.remove(key, task.future); // a later identical call computes it again
    } else if (checkpoint != null && !task.reused()) {
      checkpoint.append(key, task.app.name(), task.app.version(), value);
    }
  }

  /** Tasks whose result was reused, from this run or from the checkpoint. */
  long hits() {
    return hits.sum();
  }

  /** The part of {@link #hits()} that came from the checkpoint. */
  long checkpointHits() {
    return checkpointHits.sum();
  }

  /** Results the checkpoint file held when the run started. */
  long checkpointLoaded() {
    return checkpointLoaded;
  }

  Optional<Path> checkpointFile() {
    return checkpoint != null ? Optional.of(checkpoint.file()) : Optional.empty();
  }

  @Override
  public void close() {
    if (checkpoint != null) {
      try {
        checkpoint.close();
      } catch (IOException e) {
        log.warn("could not close checkpoint {}: {}", checkpoint.file(), e.toString());
      }
    }
  }
}
