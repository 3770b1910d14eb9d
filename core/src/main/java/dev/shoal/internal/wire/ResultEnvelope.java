package dev.shoal.internal.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * The outcome of one task attempt, posted by a worker to the task's reply queue.
 *
 * @param v protocol version
 * @param id the task id
 * @param run the run id
 * @param attempt the attempt this result is for
 * @param status how the attempt ended
 * @param value the result when {@code status} is {@link Status#OK}
 * @param valueRef where the result (its JSON's bytes) is when too large for a message, only when
 *     {@code status} is {@link Status#OK}, and then {@code value} is null; only for a task whose
 *     envelope said {@code resultByRef}
 * @param error what went wrong otherwise
 * @param worker the id of the worker that produced this result
 * @param received when the worker received the task
 * @param started when the app started
 * @param finished when the app finished
 * @param sig HMAC of the envelope without this field, when the worker signs (null: unsigned); a
 *     client with a signing key drops results without a valid one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultEnvelope(int v, long id, String run, int attempt, Status status, JsonNode value,
    PayloadRef valueRef, RemoteError error, String worker, Instant received, Instant started, Instant finished,
    String sig) {

  /** A result whose value, if any, is in the envelope. */
  public ResultEnvelope(int v, long id, String run, int attempt, Status status, JsonNode value, RemoteError error,
      String worker, Instant received, Instant started, Instant finished, String sig) {
    this(v, id, run, attempt, status, value, null, error, worker, received, started, finished, sig);
  }

  /** An unsigned result: the worker signs it, if it holds a key, just before posting it. */
  public ResultEnvelope(int v, long id, String run, int attempt, Status status, JsonNode value, RemoteError error,
      String worker, Instant received, Instant started, Instant finished) {
    this(v, id, run, attempt, status, value, null, error, worker, received, started, finished, null);
  }

  public ResultEnvelope withSig(String signature) {
    return new ResultEnvelope(v, id, run, attempt, status, value, valueRef, error, worker, received, started,
        finished, signature);
  }

  /** This result with its value in object storage instead of the envelope. */
  public ResultEnvelope withValueRef(PayloadRef ref) {
    return new ResultEnvelope(v, id, run, attempt, status, null, ref, error, worker, received, started, finished,
        sig);
  }

  /** How an attempt ended. */
  public enum Status {
    /** The app returned a value. */
    @JsonProperty("ok") OK,
    /** The app threw: the error is the app's own. */
    @JsonProperty("app_error") APP_ERROR,
    /**
     * The task could not be run: unknown app, undecodable arguments, an expired deadline, a task
     * that kept killing its workers and was dead-lettered, or (only when the worker does not sign)
     * an invalid envelope. An envelope that fails verification is never answered.
     */
    @JsonProperty("worker_error") WORKER_ERROR
  }
}
