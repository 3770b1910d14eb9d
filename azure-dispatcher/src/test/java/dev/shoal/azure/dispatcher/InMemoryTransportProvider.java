package dev.shoal.azure.dispatcher;

import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import dev.shoal.testing.InMemoryTransport;
import java.util.Map;

/** A transport provider the tests list in their services file, to find it as the Function finds servicebus. */
public final class InMemoryTransportProvider implements TransportProvider {
  static final String NAME = "in-memory-test";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Transport create(Map<String, String> settings) {
    return new InMemoryTransport();
  }
}
