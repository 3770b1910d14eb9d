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
 * @param error what went wrong otherwise
 * @param worker the id of the worker that produced this result
 * @param received when the worker received the task
 * @param started when the app started
 * @param finished when the app finished
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultEnvelope(int v, long id, String run, int attempt, Status status, JsonNode value,
    RemoteError error, String worker, Instant received, Instant started, Instant finished) {

  /** How an attempt ended. */
  public enum Status {
    /** The app returned a value. */
    @JsonProperty("ok") OK,
    /** The app threw: the error is the app's own. */
    @JsonProperty("app_error") APP_ERROR,
    /**
     * The task could not be run: unknown app, undecodable arguments, a bad signature, an expired
     * deadline, or a task that kept killing its workers and was dead-lettered.
     */
    @JsonProperty("worker_error") WORKER_ERROR
  }
}
