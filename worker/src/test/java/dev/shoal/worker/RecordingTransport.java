package dev.shoal.worker;

import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportLimits;
import dev.shoal.spi.ForwardingTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Forwards to another transport, records what is sent, and can claim a smaller message limit. */
final class RecordingTransport extends ForwardingTransport {
  record Sent(String address, List<byte[]> bodies) {}

  private final TransportLimits limits;
  final List<Sent> sent = new CopyOnWriteArrayList<>();
  /** Sends complete this long after they are made, like a request to a remote service. */
  volatile Duration sendLatency = Duration.ZERO;

  RecordingTransport(Transport delegate, int maxMessageBytes) {
    super(delegate);
    this.limits = delegate.limits().withMaxMessageBytes(maxMessageBytes);
  }

  @Override
  public TransportLimits limits() {
    return limits;
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
}
