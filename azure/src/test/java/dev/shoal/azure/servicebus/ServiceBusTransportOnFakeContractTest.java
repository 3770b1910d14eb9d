package dev.shoal.azure.servicebus;

import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.spi.Transport;
import dev.shoal.testing.TransportContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The whole transport contract, with the real Service Bus SDK, against the protocol-level fake namespace. */
class ServiceBusTransportOnFakeContractTest extends TransportContract {
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
    return new ServiceBusTransportProvider().create(bus.transportSettings());
  }
}
