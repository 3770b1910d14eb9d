package dev.shoal.azure.servicebus;

import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import java.util.Map;

/** The "servicebus" transport, for workers started from the command line. Settings: see {@link ServiceBusClients}. */
public final class ServiceBusTransportProvider implements TransportProvider {
  @Override
  public String name() {
    return "servicebus";
  }

  @Override
  public Transport create(Map<String, String> settings) {
    return ServiceBusClients.transport(settings);
  }
}
