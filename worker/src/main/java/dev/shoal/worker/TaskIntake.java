package dev.shoal.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.internal.wire.Decoded;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ReceivedMessage;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker does with a message it holds, the same whether it polled the message ({@link
 * Worker}) or was handed it ({@link BatchRunner}): answer the rejected envelopes it may trust,
 * dead-letter a single task delivered more than {@code maxDeliveries} times as poison, hand every
 * other task to its host to schedule; and run one task, publishing its outcome.
 */
final class TaskIntake {
  private static final Logger log = LoggerFactory.getLogger(TaskIntake.class);

  /** What differs between the hosts: where results go, where tasks run, how a message is let go. */
  interface Host {
    /** Posts a result the held message is waiting for (already counted with {@code expect}). */
    void publish(HeldMessage held, String reply, ResultEnvelope result, boolean required, boolean byRef);

    /** Runs a valid task of the held message, at its position in the bundle, when the host can. */
    void schedule(HeldMessage held, TaskEnvelope task, int index);

    /** A bug of ours, or no memory even to report one: the message goes back to the queue. */
    void letGo(HeldMessage held);
  }

  private final String workerId;
  private final WireCodec codec;
  private final EnvelopeSigner signer;
  private final TaskRunner runner;
  private final int maxDeliveries;
  private final Host host;

  TaskIntake(String workerId, WireCodec codec, EnvelopeSigner signer, TaskRunner runner, int maxDeliveries, Host host) {
    this.workerId = workerId;
    this.codec = codec;
    this.signer = signer;
    this.runner = runner;
    this.maxDeliveries = maxDeliveries;
    this.host = host;
  }

  /** The rejected envelopes, then poison by delivery count, then the tasks to the host. */
  void take(HeldMessage held, Decoded<TaskEnvelope> decoded) {
    ReceivedMessage message = held.message;
    List<Decoded.Rejected> rejected = decoded.rejected();
    JsonNode items = rejected.isEmpty() ? null : MessageSettler.bundleItems(codec, message.body());
    for (Decoded.Rejected bad : rejected) {
      log.warn("worker {}: envelope {} of message {} is invalid: {}", workerId, bad.index(), message.id(), bad.reason());
      held.reject(bad.index(), bad.reason());
      // With a key, nothing in a rejected envelope can be trusted, its reply address least of all:
      // answering there would let anyone fail a live task by naming it. It is only dead-lettered.
      if (signer == null && bad.id() > 0 && bad.run() != null && bad.reply() != null && !bad.reply().isBlank()) {
        JsonNode attempt = items.get(bad.index()).path("attempt");
        held.expect(1);
        host.publish(held, bad.reply(), runner.workerError(bad.id(), bad.run(),
            attempt.canConvertToInt() && attempt.intValue() > 0 ? attempt.intValue() : 1, held.received,
            TaskRunner.INVALID_ENVELOPE, "task " + bad.id() + " is not a valid envelope: " + bad.reason()), false,
            false);
      }
    }

    if (held.size == 1 && message.receiveCount() > maxDeliveries && decoded.envelopes().size() == 1) {
      TaskEnvelope task = decoded.envelopes().get(0);
      String text = "task " + task.id() + " (" + task.app() + ") was delivered " + message.receiveCount()
          + " times and never finished: it crashed or hung its worker each time; moved to the dead-letter queue";
      log.warn("worker {}: {}", workerId, text);
      held.markPoison();
      held.reject(0, text);
      held.expect(1);
      host.publish(held, task.reply(), runner.workerError(task.id(), task.run(), task.attempt(), held.received,
          TaskRunner.POISON, text), false, false);
      return;
    }

    // Valid envelopes keep their order; their bundle positions are those the rejected ones left.
    int index = 0;
    int nextRejected = 0;
    for (TaskEnvelope task : decoded.envelopes()) {
      while (nextRejected < rejected.size() && rejected.get(nextRejected).index() == index) {
        nextRejected++;
        index++;
      }
      held.expect(1);
      host.schedule(held, task, index++);
    }
  }

  /** Runs one task and publishes its outcome. */
  void run(TaskRun run) {
    HeldMessage held = run.message;
    try {
      TaskRunner.Outcome outcome = runner.run(run.envelope, held.received);
      if (outcome.rejection() != null) {
        log.warn("worker {}: task {} rejected: {}", workerId, run.envelope.id(), outcome.rejection());
        held.reject(run.index, outcome.rejection());
      }
      host.publish(held, run.envelope.reply(), outcome.result(), outcome.rejection() == null,
          run.envelope.takesResultByRef());
    } catch (OutOfMemoryError e) {
      // Said to its client, not released: released, it would come back to the same fate on every
      // worker and end as "crashed its worker", which is not what happened.
      TaskEnvelope task = run.envelope;
      String text = "task " + task.id() + " (" + task.app() + ") ran out of memory in worker " + workerId
          + " (a heap of at most " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB): " + e.getMessage();
      log.error("worker {}: {}", workerId, text);
      try {
        host.publish(held, task.reply(), runner.workerError(task.id(), task.run(), task.attempt(), held.received,
            TaskRunner.OUT_OF_MEMORY, text), false, false);
      } catch (RuntimeException | Error again) {
        host.letGo(held);
      }
    } catch (RuntimeException | Error e) {
      log.error("worker {}: task {} failed inside the worker", workerId, run.envelope.id(), e);
      host.letGo(held);
    }
  }
}
