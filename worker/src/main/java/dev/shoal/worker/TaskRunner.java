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
import dev.shoal.internal.wire.PayloadRef;
import dev.shoal.internal.wire.RemoteError;
import dev.shoal.internal.wire.ResultEnvelope.Status;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/** Turns one task envelope into its result: checks it, decodes its arguments, runs its app. */
final class TaskRunner {
  /** Error types of worker errors, which have no exception class behind them. */
  static final String UNKNOWN_APP = "shoal.worker.UnknownApp";
  static final String INVALID_ENVELOPE = "shoal.worker.InvalidEnvelope";
  static final String INVALID_ARGUMENTS = "shoal.worker.InvalidArguments";
  static final String DEADLINE_PASSED = "shoal.worker.DeadlinePassed";
  static final String POISON = "shoal.worker.PoisonTask";
  static final String RESULT_TOO_LARGE = "shoal.worker.ResultTooLarge";
  /** The task, or its result, did not fit in the worker's heap. */
  static final String OUT_OF_MEMORY = "shoal.worker.OutOfMemory";
  /** Arguments that came by reference could not be fetched or were not those sent; fields: {@code uri}. */
  static final String PAYLOAD_UNAVAILABLE = "shoal.worker.PayloadUnavailable";

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
  private final PayloadStores payloads;

  TaskRunner(AppRegistry registry, JsonCodec json, String workerId, Path workDir, PayloadStores payloads) {
    this.registry = registry;
    this.json = json;
    this.workerId = workerId;
    this.workDir = workDir;
    this.payloads = payloads;
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
    JsonNode arguments = task.args();
    if (task.argsRef() != null) {
      try {
        arguments = fetchArguments(task);
      } catch (PayloadUnavailable e) {
        // Not the envelope's fault, and not the worker's: answered, never dead-lettered or retried.
        return new Outcome(new ResultEnvelope(WireCodec.VERSION, task.id(), task.run(), task.attempt(),
            Status.WORKER_ERROR, null, new RemoteError(PAYLOAD_UNAVAILABLE, e.getMessage(), List.of(), null,
                Map.of("uri", json.toTree(task.argsRef().uri()))), workerId, received, null, null), null);
      }
    }
    List<Type> types = command ? COMMAND_PARAMETERS : app.parameterTypes();
    if (arguments.size() != types.size()) {
      return failed(task, received, INVALID_ARGUMENTS, "app '" + task.app() + "' takes " + types.size()
          + " argument(s), task " + task.id() + " has " + arguments.size());
    }
    Object[] args = new Object[types.size()];
    for (int i = 0; i < args.length; i++) {
      try {
        args[i] = json.decode(arguments.get(i), types.get(i));
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

  /** The arguments a task's reference names, fetched and checked against its size and digest. */
  private JsonNode fetchArguments(TaskEnvelope task) {
    PayloadRef ref = task.argsRef();
    String what = "the arguments of task " + task.id() + " (" + task.app() + ") at " + ref.uri();
    byte[] bytes;
    try {
      URI location = ref.location();
      bytes = payloads.forReading(location).get(location, ref.size()).join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new PayloadUnavailable(what + " could not be fetched: " + (cause instanceof OutOfMemoryError
          ? "this worker ran out of memory (a heap of at most " + Runtime.getRuntime().maxMemory() / (1024 * 1024)
              + " MB) reading " + ref.size() + " bytes"
          : cause.getMessage()));
    } catch (RuntimeException e) {
      throw new PayloadUnavailable(what + " could not be fetched: " + e.getMessage());
    }
    String mismatch = ref.mismatch(bytes);
    if (mismatch != null) {
      throw new PayloadUnavailable(what + " are not the arguments sent: " + mismatch);
    }
    JsonNode arguments;
    try {
      arguments = json.readTree(bytes);
    } catch (EncodingException e) {
      throw new PayloadUnavailable(what + " are not JSON: " + e.getMessage());
    }
    if (arguments == null || !arguments.isArray()) {
      throw new PayloadUnavailable(what + " are not a JSON array");
    }
    return arguments;
  }

  /** Why a task's arguments by reference cannot be had; the message says which and why. */
  private static final class PayloadUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PayloadUnavailable(String message) {
      super(message, null, false, false);
    }
  }

  /** A worker error for a task that was not run; it carries no timing beyond its receipt. */
  ResultEnvelope workerError(long id, String run, int attempt, Instant received, String type, String message) {
    return new ResultEnvelope(WireCodec.VERSION, id, run, attempt, Status.WORKER_ERROR, null,
        RemoteError.of(type, message), workerId, received, null, null);
  }

  /** The result that replaces one too large for the reply queue. */
  ResultEnvelope tooLarge(ResultEnvelope result, int bytes, int limit) {
    return tooLarge(result, bytes, limit, "");
  }

  /**
   * The result that replaces one too large for the reply queue.
   *
   * @param why what else was tried, as a clause to append ("", or "; ..." )
   */
  ResultEnvelope tooLarge(ResultEnvelope result, int bytes, int limit, String why) {
    return new ResultEnvelope(WireCodec.VERSION, result.id(), result.run(), result.attempt(), Status.WORKER_ERROR,
        null, RemoteError.of(RESULT_TOO_LARGE, "the result of task " + result.id() + " takes " + bytes
            + " bytes, over the reply queue's message limit of " + limit + " bytes" + why),
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
