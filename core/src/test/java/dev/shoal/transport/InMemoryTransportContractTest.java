package dev.shoal.transport;

/** The in-memory transport passes the same contract as the real ones. */
class InMemoryTransportContractTest extends TransportContract {
  @Override
  protected Transport newTransport() {
    return new InMemoryTransport();
  }
}
