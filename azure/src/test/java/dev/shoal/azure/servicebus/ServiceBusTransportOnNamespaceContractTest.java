package dev.shoal.azure.servicebus;

import dev.shoal.spi.Transport;
import dev.shoal.testing.TransportContract;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The transport contract against a real Service Bus namespace, or Microsoft's emulator, when
 * {@value ServiceBusClients#CONNECTION_ENV} holds a connection string with Manage rights (the
 * contract creates and deletes queues named {@code contract-*}). For the emulator, whose
 * administration API listens on its own port, also set {@value #ADMIN_ENDPOINT_ENV} (for example
 * {@code http://localhost:5300}). Skipped, saying so, when the connection is not set.
 */
@EnabledIfEnvironmentVariable(named = ServiceBusClients.CONNECTION_ENV, matches = ".+", disabledReason =
    ServiceBusClients.CONNECTION_ENV + " is not set: no Service Bus namespace or emulator to run the contract on"
        + " (ServiceBusTransportOnFakeContractTest runs it on the fake)")
class ServiceBusTransportOnNamespaceContractTest extends TransportContract {
  static final String ADMIN_ENDPOINT_ENV = "SHOAL_SERVICEBUS_ADMIN_ENDPOINT";

  @Override
  protected Transport newTransport() {
    Map<String, String> settings = new HashMap<>();
    settings.put(ServiceBusClients.CONNECTION, System.getenv(ServiceBusClients.CONNECTION_ENV));
    String admin = System.getenv(ADMIN_ENDPOINT_ENV);
    if (admin != null) {
      settings.put(ServiceBusClients.ADMIN_ENDPOINT, admin);
    }
    return new ServiceBusTransportProvider().create(settings);
  }
}
