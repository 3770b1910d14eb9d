package dev.shoal.worker;

import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.TransportProvider;
import dev.shoal.spi.ForwardingTransport;
import dev.shoal.testing.InMemoryTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * "test-memory": a fresh in-memory transport with the queue named by the setting "create". With
 * "missing-for-lookups=N" that queue is only made at the look-up after the first N, as if a stack
 * were still creating it; with "receive-fails=true" every poll fails, as if the service were gone.
 */
public final class TestTransportProvider implements TransportProvider {
  @Override
  public String name() {
    return "test-memory";
  }

  @Override
  public Transport create(Map<String, String> settings) {
    InMemoryTransport transport = new InMemoryTransport();
    String queue = settings.get("create");
    int missingFor = Integer.parseInt(settings.getOrDefault("missing-for-lookups", "0"));
    boolean receiveFails = Boolean.parseBoolean(settings.get("receive-fails"));
    if (queue != null && missingFor == 0) {
      create(transport, queue);
    }
    if (missingFor == 0 && !receiveFails) {
      return transport;
    }
    AtomicInteger lookups = new AtomicInteger();
    return new ForwardingTransport(transport) {
      @Override
      public CompletableFuture<String> queueAddress(String name) {
        if (lookups.incrementAndGet() == missingFor + 1 && queue != null) {
          create(transport, queue);
        }
        return delegate.queueAddress(name);
      }

      @Override
      public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
        return receiveFails ? CompletableFuture.failedFuture(new TransportException("service unreachable", true))
            : delegate.receive(address, max, wait);
      }
    };
  }

  private static void create(Transport transport, String queue) {
    transport.createQueue(queue, QueueOptions.defaults().withMaxReceiveCount(5)).join();
  }
}
