package dev.shoal.testing;

import dev.shoal.spi.Transport;

/** The in-memory transport passes the same contract as the real ones. */
class InMemoryTransportContractTest extends TransportContract {
  @Override
  protected Transport newTransport() {
    return new InMemoryTransport();
  }
}
