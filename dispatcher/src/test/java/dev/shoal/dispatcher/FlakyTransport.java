package dev.shoal.dispatcher;

import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.ForwardingTransport;
import dev.shoal.testing.InMemoryTransport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory transport whose depth reads the test can make fail, and counts. */
final class FlakyTransport extends ForwardingTransport {
  private final AtomicInteger depthReads = new AtomicInteger();
  private volatile boolean failDepth;

  FlakyTransport() {
    super(new InMemoryTransport());
  }

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
}
