package dev.shoal.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.app.AppDefinition;
import dev.shoal.app.EncodingException;
import dev.shoal.command.Command;
import dev.shoal.internal.app.AppInvoker;
import dev.shoal.internal.app.AppRegistry;
import dev.shoal.internal.app.Builtins;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.command.CommandRunner;
import dev.shoal.internal.wire.RemoteError;
import dev.shoal.internal.wire.ResultEnvelope.Status;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Turns one task envelope into its result: checks it, decodes its arguments, runs its app. */
final class TaskRunner {
  /** Error types of worker errors, which have no exception class behind them. */
  static final String UNKNOWN_APP = "shoal.worker.UnknownApp";
  static final String INVALID_ENVELOPE = "shoal.worker.InvalidEnvelope";
  static final String INVALID_ARGUMENTS = "shoal.worker.InvalidArguments";
  static final String DEADLINE_PASSED = "shoal.worker.DeadlinePassed";
  static final String POISON = "shoal.worker.PoisonTask";
  static final String RESULT_TOO_LARGE = "shoal.worker.ResultTooLarge";

  /**
   * A task's result, and when the envelope itself is bad (so it belongs in the dead-letter queue)
   * the reason.
   */
  record Outcome(ResultEnvelope result, String rejection) {}

  private static final List<Type> COMMAND_PARAMETERS = List.of(Command.class);

  private final AppRegistry registry;
  private final JsonCodec json;
  private final String workerId;
  private final Path workDir;

  TaskRunner(AppRegistry registry, JsonCodec json, String workerId, Path workDir) {
    this.registry = registry;
    this.json = json;
    this.workerId = workerId;
    this.workDir = workDir;
  }

  Outcome run(TaskEnvelope task, Instant received) {
    Instant started = Instant.now();
    boolean command = Builtins.COMMAND.equals(task.app());
    AppDefinition app = command ? null : registry.find(task.app()).orElse(null);
    if (!command && app == null) {
      return rejected(task, received, UNKNOWN_APP, "unknown app '" + task.app() + "' on worker " + workerId);
    }
    if (task.deadline() != null && !started.isBefore(task.deadline())) {
      return failed(task, received, DEADLINE_PASSED, "task " + task.id() + " (" + task.app()
          + ") was not started: its deadline " + task.deadline() + " had passed when a slot took it at " + started);
    }
    List<Type> types = command ? COMMAND_PARAMETERS : app.parameterTypes();
    if (task.args().size() != types.size()) {
      return failed(task, received, INVALID_ARGUMENTS, "app '" + task.app() + "' takes " + types.size()
          + " argument(s), task " + task.id() + " has " + task.args().size());
    }
    Object[] args = new Object[types.size()];
    for (int i = 0; i < args.length; i++) {
      try {
        args[i] = json.decode(task.args().get(i), types.get(i));
      } catch (EncodingException e) {
        return failed(task, received, INVALID_ARGUMENTS, "argument " + (i + 1) + " of app '" + task.app()
            + "' in task " + task.id() + " does not decode: " + e.getMessage());
      }
    }
    if (command && args[0] == null) {
      return failed(task, received, INVALID_ARGUMENTS, "argument 1 of app '" + task.app() + "' in task "
          + task.id() + " is null, not a command");
    }

    Object value;
    try {
      Path taskDir = taskDir(task);
      // A command's failure names the built-in app here; the client renames it after its own app.
      value = command ? CommandRunner.run((Command) args[0], taskDir, null, task.app(), task.id())
          : AppInvoker.run(app, task.id(), args, taskDir);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return appError(task, received, started, e);
    } catch (Throwable e) {
      // Errors too (StackOverflowError, an app's OutOfMemoryError): the client learns why its
      // task failed instead of waiting for a redelivery that would fail the same way.
      return appError(task, received, started, e);
    }
    JsonNode tree;
    try {
      tree = json.toTree(value);
    } catch (EncodingException e) {
      return appError(task, received, started, e);
    }
    return new Outcome(new ResultEnvelope(WireCodec.VERSION, task.id(), task.run(), task.attempt(), Status.OK, tree,
        null, workerId, received, started, Instant.now()), null);
  }

  /** A worker error for a task that was not run; it carries no timing beyond its receipt. */
  ResultEnvelope workerError(long id, String run, int attempt, Instant received, String type, String message) {
    return new ResultEnvelope(WireCodec.VERSION, id, run, attempt, Status.WORKER_ERROR, null,
        RemoteError.of(type, message), workerId, received, null, null);
  }

  /** The result that replaces one too large for the reply queue. */
  ResultEnvelope tooLarge(ResultEnvelope result, int bytes, int limit) {
    return new ResultEnvelope(WireCodec.VERSION, result.id(), result.run(), result.attempt(), Status.WORKER_ERROR,
        null, RemoteError.of(RESULT_TOO_LARGE, "the result of task " + result.id() + " takes " + bytes
            + " bytes, over the reply queue's message limit of " + limit + " bytes"),
        workerId, result.received(), result.started(), result.finished());
  }

  // Run ids may be "." or ".." (the wire allows dots), which must not climb out of the work directory.
  private Path taskDir(TaskEnvelope task) {
    String run = task.run().replace(':', '_');
    if (run.startsWith(".")) {
      run = "_" + run;
    }
    return workDir.resolve(run).resolve(task.app().replace(':', '_') + "-" + task.id() + "-" + task.attempt());
  }

  private Outcome rejected(TaskEnvelope task, Instant received, String type, String reason) {
    return new Outcome(workerError(task.id(), task.run(), task.attempt(), received, type, reason), reason);
  }

  private Outcome failed(TaskEnvelope task, Instant received, String type, String message) {
    return new Outcome(workerError(task.id(), task.run(), task.attempt(), received, type, message), null);
  }

  private Outcome appError(TaskEnvelope task, Instant received, Instant started, Throwable error) {
    return new Outcome(new ResultEnvelope(WireCodec.VERSION, task.id(), task.run(), task.attempt(), Status.APP_ERROR,
        null, RemoteError.of(error), workerId, received, started, Instant.now()), null);
  }
}
