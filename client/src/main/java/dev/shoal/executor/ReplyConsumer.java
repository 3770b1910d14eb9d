package dev.shoal.executor;

import dev.shoal.internal.wire.Decoded;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.InvalidEnvelopeException;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a run's reply queue on a thread of its own: decodes each message, drops what is unreadable,
 * invalid, not signed with the run's key (when it has one) or of another run, saying so in the log,
 * hands every valid result to the sink, and acknowledges the messages. The sink gets a message's
 * results together and must be quick: it only routes them to their tasks.
 */
final class ReplyConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplyConsumer.class);
  /**
   * A long poll returns as soon as a result arrives, so its length does not affect latency; it is
   * short because an HTTP client cannot close while a poll is open, and a 20 s poll would hold up
   * every close by as much.
   */
  private static final Duration REPLY_WAIT = Duration.ofSeconds(2);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

  private final String label;
  private final Transport transport;
  private final String queue;
  private final WireCodec wire;
  private final String runId;
  private final EnvelopeSigner verifier;
  private final Consumer<List<ResultEnvelope>> sink;
  private final LongAdder rejected = new LongAdder();
  private final Thread thread;
  private volatile CompletableFuture<List<ReceivedMessage>> pendingReceive;
  private volatile boolean running = true;

  /**
   * @param verifier the signer every result must be signed by; null: results are not checked
   */
  ReplyConsumer(String label, Transport transport, String queue, WireCodec wire, String runId,
      EnvelopeSigner verifier, Consumer<List<ResultEnvelope>> sink) {
    this.label = label;
    this.transport = transport;
    this.queue = queue;
    this.wire = wire;
    this.runId = runId;
    this.verifier = verifier;
    this.sink = sink;
    this.thread = new Thread(this::receiveLoop, "shoal-" + label + "-replies");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Results dropped unread: unreadable messages (each counts once), invalid or unverified envelopes. */
  long rejected() {
    return rejected.sum();
  }

  /** Stops at once: a poll still open is abandoned, and what it brings comes back to nobody. */
  @Override
  public void close() {
    running = false;
    CompletableFuture<List<ReceivedMessage>> receive = pendingReceive;
    if (receive != null) {
      receive.cancel(true);
    }
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void receiveLoop() {
    int max = transport.limits().maxReceiveBatch();
    while (running) {
      CompletableFuture<List<ReceivedMessage>> receive = transport.receive(queue, max, REPLY_WAIT);
      pendingReceive = receive;
      List<ReceivedMessage> messages;
      try {
        messages = receive.join();
      } catch (CancellationException e) {
        return;
      } catch (CompletionException | IllegalStateException e) {
        if (!running) {
          return;
        }
        log.warn("executor {}: receiving results from {} failed, retrying: {}", label, queue, e.toString());
        pause();
        continue;
      }
      if (messages.isEmpty()) {
        continue;
      }
      messages.forEach(this::read);
      transport.ack(queue, messages).exceptionally(error -> {
        // Not fatal: the messages come back and their results are dropped as duplicates.
        log.warn("executor {}: acknowledging {} result messages failed: {}", label, messages.size(), error.toString());
        return null;
      });
    }
  }

  private void read(ReceivedMessage message) {
    Decoded<ResultEnvelope> decoded;
    try {
      decoded = wire.decodeResults(message.body(), transport.limits().maxMessageBytes(), verifier);
    } catch (InvalidEnvelopeException e) {
      rejected.increment();
      log.warn("executor {}: dropping an unreadable message on reply queue {}: {}", label, queue, e.getMessage());
      return;
    }
    // A task whose result is dropped here keeps waiting for one that is valid.
    for (Decoded.Rejected bad : decoded.rejected()) {
      rejected.increment();
      log.warn("executor {}: dropping an invalid result (task {}): {}", label, bad.id(), bad.reason());
    }
    List<ResultEnvelope> ours = new ArrayList<>(decoded.envelopes().size());
    for (ResultEnvelope result : decoded.envelopes()) {
      if (!runId.equals(result.run())) {
        log.warn("executor {}: dropping a result of another run ({}) for task {}", label, result.run(), result.id());
        continue;
      }
      ours.add(result);
    }
    if (!ours.isEmpty()) {
      sink.accept(ours);
    }
  }

  private void pause() {
    try {
      Thread.sleep(RETRY_PAUSE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
