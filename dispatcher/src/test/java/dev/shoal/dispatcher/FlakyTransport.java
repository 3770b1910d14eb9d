package dev.shoal.dispatcher;

import dev.shoal.transport.InMemoryTransport;
import dev.shoal.transport.QueueDepth;
import dev.shoal.transport.QueueOptions;
import dev.shoal.transport.ReceivedMessage;
import dev.shoal.transport.Transport;
import dev.shoal.transport.TransportException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory transport whose depth reads the test can make fail, and counts. */
final class FlakyTransport implements Transport {
  private final InMemoryTransport delegate = new InMemoryTransport();
  private final AtomicInteger depthReads = new AtomicInteger();
  private volatile boolean failDepth;

  void failDepth(boolean fail) {
    this.failDepth = fail;
  }

  int depthReads() {
    return depthReads.get();
  }

  @Override
  public CompletableFuture<QueueDepth> depth(String address) {
    depthReads.incrementAndGet();
    return failDepth ? CompletableFuture.failedFuture(new TransportException("service unavailable", true))
        : delegate.depth(address);
  }

  @Override
  public int maxMessageBytes() {
    return delegate.maxMessageBytes();
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
  public void close() {
    delegate.close();
  }
}
