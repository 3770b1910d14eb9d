package dev.shoal.executor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.internal.wire.BundleWriter;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Answers task bundles on a queue with results computed by a function of the envelope, all of a
 * message's results in one reply bundle: the far side of the queue path for the client's unit
 * tests, which must not depend on the worker module. The real worker is tested end to end in
 * embedded/.
 */
final class ScriptedWorker implements AutoCloseable {
  private final Transport transport;
  private final String queue;
  private final WireCodec codec;
  private final EnvelopeSigner signer;
  private final Function<TaskEnvelope, ResultEnvelope> answer;
  private final Thread thread;
  private volatile boolean running = true;

  ScriptedWorker(Transport transport, String queue, WireCodec codec, Function<TaskEnvelope, JsonNode> answer) {
    this(transport, queue, codec, null, answer);
  }

  /** A worker that runs only tasks signed by {@code signer}, and signs its results with it. */
  ScriptedWorker(Transport transport, String queue, WireCodec codec, EnvelopeSigner signer,
      Function<TaskEnvelope, JsonNode> answer) {
    this(codec, transport, queue, signer, task -> {
      Instant now = Instant.now();
      return new ResultEnvelope(WireCodec.VERSION, task.id(), task.run(), task.attempt(),
          ResultEnvelope.Status.OK, answer.apply(task), null, "scripted", now, now, now);
    });
  }

  /** A worker that answers each task with the whole result a function makes of it. */
  static ScriptedWorker answering(Transport transport, String queue, WireCodec codec,
      Function<TaskEnvelope, ResultEnvelope> results) {
    return new ScriptedWorker(codec, transport, queue, null, results);
  }

  private ScriptedWorker(WireCodec codec, Transport transport, String queue, EnvelopeSigner signer,
      Function<TaskEnvelope, ResultEnvelope> answer) {
    this.transport = transport;
    this.queue = queue;
    this.codec = codec;
    this.signer = signer;
    this.answer = answer;
    this.thread = new Thread(this::loop, "scripted-worker");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    BundleWriter results = BundleWriter.results(transport.limits().maxMessageBytes());
    while (running) {
      List<ReceivedMessage> messages = transport.receive(queue, 10, Duration.ofMillis(200)).join();
      for (ReceivedMessage message : messages) {
        List<byte[]> replies = new ArrayList<>();
        String reply = null;
        for (TaskEnvelope task : codec.decodeTasks(message.body(), Integer.MAX_VALUE, signer).envelopes()) {
          reply = task.reply();
          ResultEnvelope result = answer.apply(task);
          replies.add(codec.envelopeBytes(signer == null ? result : signer.sign(result)));
        }
        if (reply != null) {
          transport.send(reply, List.of(results.frame(replies))).join();
        }
      }
      if (!messages.isEmpty()) {
        transport.ack(queue, messages).join();
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join();
  }
}
