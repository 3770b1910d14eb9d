package dev.shoal.aws;

import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import java.util.Map;

/** The "sqs" transport, for workers started from the command line. Settings: see {@link SqsClients}. */
public final class SqsTransportProvider implements TransportProvider {
  @Override
  public String name() {
    return "sqs";
  }

  @Override
  public Transport create(Map<String, String> settings) {
    return SqsClients.transport(settings);
  }
}
