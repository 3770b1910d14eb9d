package dev.shoal.internal.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.shoal.internal.codec.JsonCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads and writes queue messages. A message is a bundle: {@code {"v":1,"kind":"tasks","tasks":[...]}}
 * or {@code {"v":1,"kind":"results","results":[...]}}. Reading validates everything a worker or
 * client relies on (size, version, kind, required fields, names, and the signature when given a
 * verifier) and never instantiates a type named by the message.
 */
public final class WireCodec {
  public static final int VERSION = 1;

  static final String TASKS = "tasks";
  static final String RESULTS = "results";
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  private static final int MAX_REPLY_LENGTH = 2048;
  // Framing only: the limits do not matter when a caller frames envelopes it has already sized.
  private static final BundleWriter TASK_FRAME = BundleWriter.tasks(Integer.MAX_VALUE, Integer.MAX_VALUE);
  private static final BundleWriter RESULT_FRAME = BundleWriter.results(Integer.MAX_VALUE);

  private final JsonCodec json;
  private final ObjectReader taskReader;
  private final ObjectReader resultReader;

  public WireCodec(JsonCodec json) {
    this.json = Objects.requireNonNull(json, "json");
    // Newer senders may add fields; a reader of this version ignores them.
    this.taskReader = json.mapper().readerFor(TaskEnvelope.class)
        .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    this.resultReader = json.mapper().readerFor(ResultEnvelope.class)
        .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  public JsonCodec json() {
    return json;
  }

  /** The canonical encoding: equal values give equal bytes. */
  public byte[] canonicalBytes(Object value) {
    return json.encode(value);
  }

  /** One envelope's bytes, to be joined into a bundle with {@link #taskBundle}. */
  public byte[] envelopeBytes(TaskEnvelope envelope) {
    return json.encode(envelope);
  }

  public byte[] envelopeBytes(ResultEnvelope envelope) {
    return json.encode(envelope);
  }

  public byte[] encodeTasks(List<TaskEnvelope> envelopes) {
    List<byte[]> parts = new ArrayList<>(envelopes.size());
    envelopes.forEach(envelope -> parts.add(envelopeBytes(envelope)));
    return TASK_FRAME.frame(parts);
  }

  public byte[] encodeResults(List<ResultEnvelope> envelopes) {
    List<byte[]> parts = new ArrayList<>(envelopes.size());
    envelopes.forEach(envelope -> parts.add(envelopeBytes(envelope)));
    return RESULT_FRAME.frame(parts);
  }

  /** The envelope as a reader of its encoding gets it (what a signature is computed over). */
  TaskEnvelope asRead(TaskEnvelope envelope) {
    if (readsBackAsIs(envelope.args())) {
      return envelope;
    }
    try {
      return taskReader.readValue(envelopeBytes(envelope));
    } catch (IOException e) {
      throw new IllegalStateException("an encoded task envelope does not read back", e);
    }
  }

  ResultEnvelope asRead(ResultEnvelope envelope) {
    if (readsBackAsIs(envelope.value())) {
      return envelope;
    }
    try {
      return resultReader.readValue(envelopeBytes(envelope));
    } catch (IOException e) {
      throw new IllegalStateException("an encoded result envelope does not read back", e);
    }
  }

  /**
   * Whether a reader of this value's encoding gets it back exactly, so that re-reading it (which
   * costs more than the MAC) can be skipped. Not so for a float or a BigDecimal (a reader gets a
   * double: 1.1 for 1.10) or anything else unusual; every other field of an envelope reads back as is.
   */
  private static boolean readsBackAsIs(JsonNode node) {
    if (node == null || node.isTextual() || node.isBoolean() || node.isNull() || node.isIntegralNumber()) {
      return true;
    }
    if (node.isDouble()) {
      return Double.isFinite(node.doubleValue());
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        if (!readsBackAsIs(child)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Reads a task bundle without checking signatures.
   *
   * @throws InvalidEnvelopeException when the message as a whole is unreadable (too big, not JSON,
   *     unknown version, not a task bundle); single bad envelopes are returned as rejected instead
   */
  public Decoded<TaskEnvelope> decodeTasks(byte[] body, int maxBytes) {
    return decodeTasks(body, maxBytes, null);
  }

  /**
   * Reads a task bundle; with a verifier, an envelope it does not verify is rejected too, so that
   * every envelope returned as valid was signed with its key.
   *
   * @param verifier the signer whose signature every envelope must carry; null: none is checked
   * @throws InvalidEnvelopeException when the message as a whole is unreadable (see above)
   */
  public Decoded<TaskEnvelope> decodeTasks(byte[] body, int maxBytes, EnvelopeSigner verifier) {
    List<TaskEnvelope> valid = new ArrayList<>();
    List<Decoded.Rejected> rejected = new ArrayList<>();
    JsonNode items = frame(body, maxBytes, TASKS);
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      try {
        TaskEnvelope envelope = validate(taskReader.treeToValue(item, TaskEnvelope.class));
        if (verifier != null && !verifier.verify(envelope)) {
          throw new InvalidEnvelopeException(envelope.sig() == null
              ? "task " + envelope.id() + " is not signed, and only signed tasks are accepted"
              : "task " + envelope.id() + " has a signature that does not match its contents "
                  + "(signed with another key, or altered)");
        }
        valid.add(envelope);
      } catch (JsonProcessingException | IllegalArgumentException | InvalidEnvelopeException e) {
        rejected.add(rejection(i, item, e));
      }
    }
    return new Decoded<>(valid, rejected);
  }

  /** Reads a result bundle without checking signatures. */
  public Decoded<ResultEnvelope> decodeResults(byte[] body, int maxBytes) {
    return decodeResults(body, maxBytes, null);
  }

  /**
   * Reads a result bundle; with a verifier, a result it does not verify is rejected too.
   *
   * @param verifier the signer whose signature every result must carry; null: none is checked
   */
  public Decoded<ResultEnvelope> decodeResults(byte[] body, int maxBytes, EnvelopeSigner verifier) {
    List<ResultEnvelope> valid = new ArrayList<>();
    List<Decoded.Rejected> rejected = new ArrayList<>();
    JsonNode items = frame(body, maxBytes, RESULTS);
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      try {
        ResultEnvelope envelope = validate(resultReader.treeToValue(item, ResultEnvelope.class));
        if (verifier != null && !verifier.verify(envelope)) {
          throw new InvalidEnvelopeException(envelope.sig() == null
              ? "the result of task " + envelope.id() + " is not signed, and only signed results are accepted"
                  + " (do the workers hold the client's signing key?)"
              : "the result of task " + envelope.id() + " has a signature that does not match its contents"
                  + " (signed with another key, or altered)");
        }
        valid.add(envelope);
      } catch (JsonProcessingException | IllegalArgumentException | InvalidEnvelopeException e) {
        rejected.add(rejection(i, item, e));
      }
    }
    return new Decoded<>(valid, rejected);
  }

  private JsonNode frame(byte[] body, int maxBytes, String kind) {
    if (body.length > maxBytes) {
      throw new InvalidEnvelopeException("message of " + body.length + " bytes is over the limit of " + maxBytes);
    }
    JsonNode root;
    try {
      root = json.mapper().readTree(body);
    } catch (java.io.IOException e) {
      throw new InvalidEnvelopeException("message is not JSON: " + firstLine(e.getMessage()), e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidEnvelopeException("message is not a JSON object");
    }
    JsonNode version = root.get("v");
    if (version == null || !version.isInt()) {
      throw new InvalidEnvelopeException("message has no protocol version 'v'");
    }
    if (version.intValue() != VERSION) {
      throw new InvalidEnvelopeException("message has protocol version " + version.intValue()
          + ", this reader understands version " + VERSION);
    }
    JsonNode actualKind = root.get("kind");
    if (actualKind == null || !kind.equals(actualKind.asText())) {
      throw new InvalidEnvelopeException("message is not a bundle of " + kind + " (kind: "
          + (actualKind == null ? "none" : actualKind.asText()) + ")");
    }
    JsonNode items = root.get(kind);
    if (items == null || !items.isArray()) {
      throw new InvalidEnvelopeException("bundle has no '" + kind + "' array");
    }
    return items;
  }

  private static TaskEnvelope validate(TaskEnvelope e) {
    check(e.v() == VERSION, "envelope has protocol version " + e.v() + ", expected " + VERSION);
    check(e.id() > 0, "envelope has no task id");
    check(e.run() != null && RUN_ID.matcher(e.run()).matches(), "envelope has no valid run id");
    check(e.app() != null && APP_NAME.matcher(e.app()).matches(), "envelope has no valid app name");
    if (e.argsRef() == null) {
      check(e.args() != null && e.args().isArray(), "envelope's args are not a JSON array");
    } else {
      check(e.args() == null || e.args().isNull(), "envelope has both args and argsRef");
      checkRef(e.argsRef(), "argsRef");
    }
    check(e.attempt() >= 1, "envelope's attempt is not positive");
    check(e.reply() != null && !e.reply().isBlank() && e.reply().length() <= MAX_REPLY_LENGTH,
        "envelope has no valid reply address");
    return e;
  }

  private static ResultEnvelope validate(ResultEnvelope e) {
    check(e.v() == VERSION, "result has protocol version " + e.v() + ", expected " + VERSION);
    check(e.id() > 0, "result has no task id");
    check(e.run() != null && RUN_ID.matcher(e.run()).matches(), "result has no valid run id");
    check(e.status() != null, "result has no status");
    check(e.status() == ResultEnvelope.Status.OK || e.error() != null, "failed result carries no error");
    if (e.valueRef() != null) {
      check(e.status() == ResultEnvelope.Status.OK, "a failed result carries a valueRef");
      check(e.value() == null || e.value().isNull(), "result has both a value and a valueRef");
      checkRef(e.valueRef(), "valueRef");
    }
    return e;
  }

  private static void checkRef(PayloadRef ref, String field) {
    String invalid = ref.invalidity();
    check(invalid == null, "envelope's " + field + " " + invalid);
  }

  private static void check(boolean condition, String reason) {
    if (!condition) {
      throw new InvalidEnvelopeException(reason);
    }
  }

  private static Decoded.Rejected rejection(int index, JsonNode item, Exception e) {
    long id = item.path("id").canConvertToLong() ? item.path("id").asLong() : 0;
    String run = item.path("run").isTextual() ? item.path("run").asText() : null;
    String reply = item.path("reply").isTextual() ? item.path("reply").asText() : null;
    String reason = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    return new Decoded.Rejected(index, id, run, reply, firstLine(reason));
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unknown error";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
