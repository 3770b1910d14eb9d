package dev.shoal.internal.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One task on the wire. Arguments are JSON values in the app's parameter order; the worker
 * decodes them with the app's declared types.
 *
 * @param v protocol version ({@link WireCodec#VERSION})
 * @param id the task id, unique within its run
 * @param run the run id
 * @param app the app's name
 * @param args the arguments, a JSON array; null when they are in object storage ({@code argsRef})
 * @param argsRef where the arguments (their JSON array's bytes) are, when too large for a message;
 *     null when {@code args} carries them. Exactly one of the two is set.
 * @param attempt the attempt number, from 1
 * @param reply the address of the queue the result goes to
 * @param deadline when the client stops waiting; a worker skips the task after it (null: none)
 * @param resultByRef true when the client can take a result too large for a message by reference
 *     ({@code valueRef}); null or false: such a result fails the task as too large
 * @param sig HMAC of the envelope without this field, when signing is on (null: unsigned)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskEnvelope(int v, long id, String run, String app, JsonNode args, PayloadRef argsRef, int attempt,
    String reply, Instant deadline, Boolean resultByRef, String sig) {

  /** A task whose arguments are in the envelope, as every task before claim checks. */
  public TaskEnvelope(int v, long id, String run, String app, JsonNode args, int attempt, String reply,
      Instant deadline, String sig) {
    this(v, id, run, app, args, null, attempt, reply, deadline, null, sig);
  }

  public TaskEnvelope withSig(String signature) {
    return new TaskEnvelope(v, id, run, app, args, argsRef, attempt, reply, deadline, resultByRef, signature);
  }

  /** This task with its arguments in object storage instead of the envelope. */
  public TaskEnvelope withArgsRef(PayloadRef ref) {
    return new TaskEnvelope(v, id, run, app, null, ref, attempt, reply, deadline, resultByRef, sig);
  }

  /** This task with its arguments in the envelope (as fetched from {@code argsRef}). */
  public TaskEnvelope withArgs(JsonNode arguments) {
    return new TaskEnvelope(v, id, run, app, arguments, null, attempt, reply, deadline, resultByRef, sig);
  }

  public TaskEnvelope withResultByRef(boolean byRef) {
    return new TaskEnvelope(v, id, run, app, args, argsRef, attempt, reply, deadline, byRef ? Boolean.TRUE : null,
        sig);
  }

  /** Whether the client takes a large result by reference. */
  public boolean takesResultByRef() {
    return Boolean.TRUE.equals(resultByRef);
  }
}
