package dev.shoal.azure.servicebus;

import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.spi.Transport;
import dev.shoal.testing.TransportContract;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The transport contract with a prefetching receiver: messages fetched ahead must change nothing a caller sees. */
class ServiceBusTransportWithPrefetchOnFakeContractTest extends TransportContract {
  private static FakeServiceBus bus;

  @BeforeAll
  static void startFake() {
    bus = FakeServiceBus.start();
  }

  @AfterAll
  static void stopFake() {
    bus.close();
  }

  @Override
  protected Transport newTransport() {
    Map<String, String> settings = new HashMap<>(bus.transportSettings());
    settings.put(ServiceBusClients.PREFETCH, "20");
    return new ServiceBusTransportProvider().create(settings);
  }
}
