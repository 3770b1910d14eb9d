package dev.shoal.spi;

import java.util.Map;

/**
 * Creates transports from plain settings, so a worker's {@code main} can open the transport its
 * command line names without depending on any cloud SDK. Found with {@link java.util.ServiceLoader}.
 */
public interface TransportProvider {
  /** The name settings refer to this provider by, such as "sqs". */
  String name();

  /** Creates a transport; settings are provider-specific (endpoint, region, ...). */
  Transport create(Map<String, String> settings);

  /** The provider with this name on the class path. */
  static TransportProvider named(String name) {
    for (TransportProvider provider : java.util.ServiceLoader.load(TransportProvider.class)) {
      if (provider.name().equals(name)) {
        return provider;
      }
    }
    throw new IllegalArgumentException("no transport named '" + name + "' on the class path");
  }
}
