package dev.shoal.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.Decoded;
import dev.shoal.internal.wire.InvalidEnvelopeException;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ReceivedMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One message of a dead-letter queue as the dead-letter commands show it: why it is there, and what
 * it carries, read with the wire codec (JSON envelopes: nothing in it is ever deserialized as a
 * Java object). A body that is no bundle is shown as such, with what is wrong with it.
 *
 * @param id the service's message id (what {@code show} and {@code redrive} take)
 * @param receives how many times it has been received (the dead-letter queue's own count, this listing included)
 * @param reason why it was dead-lettered; null when nothing recorded it (an SQS queue's redrive policy moved it)
 * @param bytes the body's size
 * @param kind "tasks", "results", or "unreadable"
 * @param problem what makes the body unreadable (null when it is a bundle)
 * @param preview the body's first characters, when it is unreadable
 * @param envelopes the bundle's envelopes that decoded
 * @param rejected the bundle's envelopes that did not, and why
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record DeadLetter(String id, int receives, String reason, int bytes, String kind, String problem, String preview,
    List<Envelope> envelopes, List<Rejected> rejected) {

  private static final int PREVIEW_CHARS = 120;
  private static final int ARGS_CHARS = 200;

  /**
   * One task (or result) of the bundle.
   *
   * @param args the task's arguments as JSON, or where they are stored ({@code argsRef}); for a result, its status
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Envelope(long task, String run, String app, int attempt, String reply, String deadline, String args) {}

  /** An envelope the codec refused, with why (as a worker would have refused it). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Rejected(int index, Long task, String run, String reason) {}

  static DeadLetter of(ReceivedMessage message, WireCodec codec) {
    byte[] body = message.body();
    try {
      Decoded<TaskEnvelope> tasks = codec.decodeTasks(body, Integer.MAX_VALUE);
      return new DeadLetter(message.id(), message.receiveCount(), message.deadLetterReason(), body.length, "tasks",
          null, null, tasks.envelopes().stream().map(DeadLetter::envelope).toList(), rejected(tasks));
    } catch (InvalidEnvelopeException asTasks) {
      try {
        Decoded<ResultEnvelope> results = codec.decodeResults(body, Integer.MAX_VALUE);
        return new DeadLetter(message.id(), message.receiveCount(), message.deadLetterReason(), body.length,
            "results", null, null, results.envelopes().stream().map(DeadLetter::envelope).toList(),
            rejected(results));
      } catch (RuntimeException asResults) {
        return unreadable(message, asTasks.getMessage());
      }
    } catch (RuntimeException e) {
      // Whatever a body holds, it is shown, not thrown.
      return unreadable(message, Failures.describe(e));
    }
  }

  static WireCodec codec() {
    return new WireCodec(JsonCodec.create());
  }

  private static DeadLetter unreadable(ReceivedMessage message, String problem) {
    return new DeadLetter(message.id(), message.receiveCount(), message.deadLetterReason(), message.body().length,
        "unreadable", problem, preview(message.body()), List.of(), List.of());
  }

  private static Envelope envelope(TaskEnvelope task) {
    String args = task.argsRef() != null ? "(stored: " + task.argsRef().uri() + ", " + task.argsRef().size()
        + " bytes)" : task.args() == null ? null : task.args().toString();
    return new Envelope(task.id(), task.run(), task.app(), task.attempt(), task.reply(),
        task.deadline() == null ? null : task.deadline().toString(), args);
  }

  private static Envelope envelope(ResultEnvelope result) {
    return new Envelope(result.id(), result.run(), null, result.attempt(), null, null, "status " + result.status());
  }

  private static List<Rejected> rejected(Decoded<?> decoded) {
    List<Rejected> rejected = new ArrayList<>();
    for (Decoded.Rejected r : decoded.rejected()) {
      rejected.add(new Rejected(r.index(), r.id() > 0 ? r.id() : null, r.run(), r.reason()));
    }
    return rejected;
  }

  /** The body's first characters, control characters escaped, so that a terminal shows it safely. */
  static String preview(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, PREVIEW_CHARS * 4), StandardCharsets.UTF_8);
    StringBuilder safe = new StringBuilder();
    text.codePoints().limit(PREVIEW_CHARS).forEach(c -> {
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        safe.append(String.format("\\u%04x", c));
      } else {
        safe.appendCodePoint(c);
      }
    });
    return text.codePointCount(0, text.length()) > PREVIEW_CHARS ? safe + "..." : safe.toString();
  }

  /** How many tasks (or results) it holds, rejected ones included; null when unreadable. */
  Integer count() {
    return kind.equals("unreadable") ? null : envelopes.size() + rejected.size();
  }

  /** Its apps, each once, in order. */
  String apps() {
    Set<String> apps = new LinkedHashSet<>();
    envelopes.forEach(e -> {
      if (e.app() != null) {
        apps.add(e.app());
      }
    });
    return apps.isEmpty() ? null : String.join(",", apps);
  }

  /** Its task ids, in order (a rejected envelope without one by its index, {@code #2}); null when it has none. */
  String tasks() {
    List<String> ids = new ArrayList<>();
    envelopes.forEach(e -> ids.add(Long.toString(e.task())));
    rejected.forEach(r -> ids.add(r.task() == null ? "#" + r.index() : Long.toString(r.task())));
    return ids.isEmpty() ? null : String.join(",", ids);
  }

  static String args(String args) {
    return Table.cut(args, ARGS_CHARS);
  }
}
