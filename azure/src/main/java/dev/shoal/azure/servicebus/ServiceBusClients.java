package dev.shoal.azure.servicebus;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationAsyncClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import java.net.URI;
import java.util.Map;

/**
 * Builds Service Bus clients and transports from Shoal's settings (a worker's
 * {@code --setting key=value}): a namespace given by its fully qualified name, signed in with
 * {@code DefaultAzureCredential} (a managed identity on Azure: no secret anywhere), or by
 * connection string (a shared access key, or Microsoft's emulator with
 * {@code UseDevelopmentEmulator=true}). A connection string holds a key: give it to workers through
 * the environment ({@value #CONNECTION_ENV}), not as a command-line setting, which every user of
 * the machine can read.
 */
public final class ServiceBusClients {
  /** Setting: a namespace connection string ({@code Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...}). */
  public static final String CONNECTION = "servicebus.connection";
  /** Setting: the namespace's fully qualified name ({@code <name>.servicebus.windows.net}), with Entra ID sign-in. */
  public static final String NAMESPACE = "servicebus.namespace";
  /**
   * Setting: where the administration API is, when not at the namespace's own HTTPS endpoint, e.g.
   * {@code http://localhost:5300} for the emulator. The SDK's administration client ignores the
   * connection string's emulator flag, so its requests are redirected there.
   */
  public static final String ADMIN_ENDPOINT = "servicebus.adminEndpoint";
  /**
   * Setting: the largest message the namespace takes, in bytes: 262144 on Standard (the default),
   * up to 100 MB on Premium as the entity is configured. Bodies get this less an envelope reserve.
   */
  public static final String MAX_MESSAGE_BYTES = "servicebus.maxMessageBytes";
  /** Setting: how many messages a receiver fetches ahead of what it was asked for (default 0; see the transport). */
  public static final String PREFETCH = "servicebus.prefetch";
  /** Environment variable read when the settings name no namespace: a connection string. */
  public static final String CONNECTION_ENV = "SHOAL_SERVICEBUS_CONNECTION";

  private ServiceBusClients() {}

  /** A Service Bus transport owning clients built from these settings. */
  public static ServiceBusTransport transport(Map<String, String> settings) {
    return transport(settings, System.getenv());
  }

  /** A transport from these settings, or from {@value #CONNECTION_ENV} in {@code environment} if they name none. */
  static ServiceBusTransport transport(Map<String, String> settings, Map<String, String> environment) {
    ServiceBusTransport.Builder builder = ServiceBusTransport.builder();
    String connection = settings.get(CONNECTION);
    String namespace = settings.get(NAMESPACE);
    if (connection == null && namespace == null) {
      connection = environment.get(CONNECTION_ENV);
    }
    if (connection != null) {
      builder.connectionString(connection);
    } else if (namespace != null) {
      builder.namespace(namespace, new DefaultAzureCredentialBuilder().build());
    } else {
      throw new IllegalArgumentException("the servicebus transport needs " + CONNECTION + " or " + NAMESPACE
          + " (or " + CONNECTION_ENV + " in the environment)");
    }
    String admin = settings.get(ADMIN_ENDPOINT);
    if (admin != null) {
      builder.adminEndpoint(URI.create(admin));
    }
    String max = settings.get(MAX_MESSAGE_BYTES);
    if (max != null) {
      builder.maxMessageBytes(Integer.parseInt(max));
    }
    String prefetch = settings.get(PREFETCH);
    if (prefetch != null) {
      builder.prefetch(Integer.parseInt(prefetch));
    }
    return builder.build();
  }

  /** The AMQP client builder for a namespace given by connection string or by name and credential. */
  static ServiceBusClientBuilder messaging(String connectionString, String namespace, TokenCredential credential) {
    ServiceBusClientBuilder builder = new ServiceBusClientBuilder();
    return connectionString != null ? builder.connectionString(connectionString)
        : builder.credential(namespace, credential);
  }

  /** The administration client, its requests redirected to {@code adminEndpoint} if given. */
  static ServiceBusAdministrationAsyncClient administration(String connectionString, String namespace,
      TokenCredential credential, URI adminEndpoint) {
    ServiceBusAdministrationClientBuilder builder = new ServiceBusAdministrationClientBuilder();
    if (connectionString != null) {
      builder.connectionString(connectionString);
    } else {
      builder.credential(namespace, credential);
    }
    if (adminEndpoint != null) {
      builder.addPolicy(new AdminEndpointPolicy(adminEndpoint));
    }
    return builder.buildAsyncClient();
  }
}
