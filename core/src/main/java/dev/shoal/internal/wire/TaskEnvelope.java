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
 * @param args the arguments, a JSON array
 * @param attempt the attempt number, from 1
 * @param reply the address of the queue the result goes to
 * @param deadline when the client stops waiting; a worker skips the task after it (null: none)
 * @param sig HMAC of the envelope without this field, when signing is on (null: unsigned)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskEnvelope(int v, long id, String run, String app, JsonNode args, int attempt, String reply,
    Instant deadline, String sig) {

  public TaskEnvelope withSig(String signature) {
    return new TaskEnvelope(v, id, run, app, args, attempt, reply, deadline, signature);
  }
}
