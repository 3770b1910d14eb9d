package dev.shoal.azure.servicebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.spi.QueueOptions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceBusClientsTest {

  @Test
  void settingsThatNameNoNamespaceAreRefusedSayingWhatIsMissing() {
    assertThatThrownBy(() -> ServiceBusClients.transport(Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ServiceBusClients.CONNECTION)
        .hasMessageContaining(ServiceBusClients.NAMESPACE)
        .hasMessageContaining(ServiceBusClients.CONNECTION_ENV);
  }

  @Test
  void theEnvironmentGivesTheConnectionStringWhenTheSettingsDoNot() {
    try (FakeServiceBus bus = FakeServiceBus.start()) {
      Map<String, String> settings = new HashMap<>(bus.transportSettings());
      String connection = settings.remove(ServiceBusClients.CONNECTION);

      try (ServiceBusTransport transport = ServiceBusClients.transport(settings,
          Map.of(ServiceBusClients.CONNECTION_ENV, connection))) {
        assertThat(transport.createQueue("from-env", QueueOptions.defaults()).join())
            .isEqualTo("sb://127.0.0.1/from-env");
      }
    }
  }

  @Test
  void aNamespaceByNameBuildsWithoutASecret() {
    try (ServiceBusTransport transport = ServiceBusClients.transport(
        Map.of(ServiceBusClients.NAMESPACE, "shoal-test.servicebus.windows.net"), Map.of())) {
      assertThat(transport.isAddress("sb://shoal-test.servicebus.windows.net/tasks")).isTrue();
      assertThat(transport.isAddress("tasks")).isFalse();
    }
  }

  @Test
  void theNamespaceOfAConnectionStringIsItsEndpointsHost() {
    assertThat(ServiceBusTransport.Builder.namespaceOf(
        "Endpoint=sb://shoal.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v"))
        .isEqualTo("shoal.servicebus.windows.net");
    assertThat(ServiceBusTransport.Builder.namespaceOf(
        "endpoint = sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true"))
        .isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> ServiceBusTransport.Builder.namespaceOf("SharedAccessKeyName=k"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMessageSizeWithNoRoomForABodyIsRefused() {
    assertThatThrownBy(() -> ServiceBusTransport.builder().maxMessageBytes(1500))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
