package dev.shoal.testing;

import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A transport that passes every call to another one: test transports extend it and override only
 * the calls they fail, delay or count.
 */
public abstract class ForwardingTransport implements Transport {
  protected final Transport delegate;

  protected ForwardingTransport(Transport delegate) {
    this.delegate = delegate;
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
    return delegate.send(address, bodies);
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
  public CompletableFuture<Void> tagQueue(String address, Map<String, String> tags) {
    return delegate.tagQueue(address, tags);
  }

  @Override
  public CompletableFuture<Map<String, String>> queueTags(String address) {
    return delegate.queueTags(address);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
