package dev.shoal.worker;

import dev.shoal.transport.QueueDepth;
import dev.shoal.transport.QueueOptions;
import dev.shoal.transport.ReceivedMessage;
import dev.shoal.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Forwards to another transport, records what is sent, and can claim a smaller message limit. */
final class RecordingTransport implements Transport {
  record Sent(String address, List<byte[]> bodies) {}

  private final Transport delegate;
  private final int maxMessageBytes;
  final List<Sent> sent = new CopyOnWriteArrayList<>();
  /** Sends complete this long after they are made, like a request to a remote service. */
  volatile Duration sendLatency = Duration.ZERO;

  RecordingTransport(Transport delegate, int maxMessageBytes) {
    this.delegate = delegate;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  @Override
  public CompletableFuture<String> createQueue(String name, QueueOptions options) {
    return delegate.createQueue(name, options);
  }

  @Override
  public CompletableFuture<String> queueAddress(String name) {
    return delegate.queueAddress(name);
  }

  @Override
  public CompletableFuture<Void> deleteQueue(String address) {
    return delegate.deleteQueue(address);
  }

  @Override
  public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
    sent.add(new Sent(address, List.copyOf(bodies)));
    Duration latency = sendLatency;
    if (latency.isZero()) {
      return delegate.send(address, bodies);
    }
    return CompletableFuture.supplyAsync(() -> null,
            CompletableFuture.delayedExecutor(latency.toNanos(), TimeUnit.NANOSECONDS))
        .thenCompose(ignored -> delegate.send(address, bodies));
  }

  @Override
  public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
    return delegate.receive(address, max, wait);
  }

  @Override
  public CompletableFuture<Void> ack(String address, List<ReceivedMessage> messages) {
    return delegate.ack(address, messages);
  }

  @Override
  public CompletableFuture<Void> extendLease(String address, List<ReceivedMessage> messages, Duration visibility) {
    return delegate.extendLease(address, messages, visibility);
  }

  @Override
  public CompletableFuture<Void> deadLetter(String address, ReceivedMessage message, String reason) {
    return delegate.deadLetter(address, message, reason);
  }

  @Override
  public CompletableFuture<QueueDepth> depth(String address) {
    return delegate.depth(address);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
