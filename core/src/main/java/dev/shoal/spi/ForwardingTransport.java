package dev.shoal.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A transport that passes every call to another one, for decorators: one that treats every call
 * alike (tracks, fails or times it) overrides {@link #forward}; one that changes a single call
 * overrides that call. {@link #resolveQueue} and {@link #openQueue} keep their defaults, so they go
 * through this transport's own {@link #queueAddress} and {@link #createQueue}.
 */
public abstract class ForwardingTransport implements Transport {
  protected final Transport delegate;

  protected ForwardingTransport(Transport delegate) {
    this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * Every asynchronous call passes through here on its way to the delegate.
   *
   * @param operation what the call does ("send", "receive", "ack", "extend lease", "dead-letter",
   *     "depth", "create queue", "queue address", "delete queue", "tag queue", "queue tags",
   *     "dead-letter address", "peek", "list queues")
   * @param call the delegate's call
   */
  protected <T> CompletableFuture<T> forward(String operation, Supplier<CompletableFuture<T>> call) {
    return call.get();
  }

  @Override
  public TransportLimits limits() {
    return delegate.limits();
  }

  @Override
  public boolean isAddress(String nameOrAddress) {
    return delegate.isAddress(nameOrAddress);
  }

  @Override
  public CompletableFuture<String> createQueue(String name, QueueOptions options) {
    return forward("create queue", () -> delegate.createQueue(name, options));
  }

  @Override
  public CompletableFuture<String> queueAddress(String name) {
    return forward("queue address", () -> delegate.queueAddress(name));
  }

  @Override
  public CompletableFuture<Void> deleteQueue(String address) {
    return forward("delete queue", () -> delegate.deleteQueue(address));
  }

  @Override
  public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
    return forward("send", () -> delegate.send(address, bodies));
  }

  @Override
  public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
    return forward("receive", () -> delegate.receive(address, max, wait));
  }

  @Override
  public CompletableFuture<Void> ack(String address, List<ReceivedMessage> messages) {
    return forward("ack", () -> delegate.ack(address, messages));
  }

  @Override
  public CompletableFuture<Void> extendLease(String address, List<ReceivedMessage> messages, Duration visibility) {
    return forward("extend lease", () -> delegate.extendLease(address, messages, visibility));
  }

  @Override
  public CompletableFuture<Void> deadLetter(String address, ReceivedMessage message, String reason) {
    return forward("dead-letter", () -> delegate.deadLetter(address, message, reason));
  }

  @Override
  public CompletableFuture<String> deadLetterAddress(String address) {
    return forward("dead-letter address", () -> delegate.deadLetterAddress(address));
  }

  @Override
  public CompletableFuture<List<ReceivedMessage>> peek(String address, int max) {
    return forward("peek", () -> delegate.peek(address, max));
  }

  @Override
  public CompletableFuture<List<String>> listQueues(String namePrefix) {
    return forward("list queues", () -> delegate.listQueues(namePrefix));
  }

  @Override
  public CompletableFuture<QueueDepth> depth(String address) {
    return forward("depth", () -> delegate.depth(address));
  }

  @Override
  public CompletableFuture<Void> tagQueue(String address, Map<String, String> tags) {
    return forward("tag queue", () -> delegate.tagQueue(address, tags));
  }

  @Override
  public CompletableFuture<Map<String, String>> queueTags(String address) {
    return forward("queue tags", () -> delegate.queueTags(address));
  }

  @Override
  public void close() {
    delegate.close();
  }
}
