package dev.shoal.worker;

import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import dev.shoal.testing.InMemoryTransport;
import java.util.Map;

/** "test-memory": a fresh in-memory transport with the queue named by the setting "create". */
public final class TestTransportProvider implements TransportProvider {
  @Override
  public String name() {
    return "test-memory";
  }

  @Override
  public Transport create(Map<String, String> settings) {
    InMemoryTransport transport = new InMemoryTransport();
    String queue = settings.get("create");
    if (queue != null) {
      transport.createQueue(queue, QueueOptions.defaults().withMaxReceiveCount(5)).join();
    }
    return transport;
  }
}
