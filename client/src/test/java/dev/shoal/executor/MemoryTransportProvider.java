package dev.shoal.executor;

import dev.shoal.spi.ForwardingTransport;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import dev.shoal.testing.InMemoryTransport;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code transport: memory} for the client's tests: {@code settings: {name: N}} opens the in-memory
 * transport a test registered under N (each test its own name), through a wrapper whose closing is
 * recorded and leaves the test's transport open.
 */
public final class MemoryTransportProvider implements TransportProvider {
  /** Test code only. */
  private static final Map<String, InMemoryTransport> REGISTERED = new ConcurrentHashMap<>();
  private static final Set<String> CLOSED = ConcurrentHashMap.newKeySet();

  static void register(String name, InMemoryTransport transport) {
    REGISTERED.put(name, transport);
  }

  static boolean closed(String name) {
    return CLOSED.contains(name);
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Transport create(Map<String, String> settings) {
    String name = settings.get("name");
    InMemoryTransport transport = REGISTERED.get(name);
    if (transport == null) {
      throw new IllegalArgumentException("no in-memory transport registered as " + name);
    }
    return new ForwardingTransport(transport) {
      @Override
      public void close() {
        CLOSED.add(name);
      }
    };
  }
}
