package dev.shoal.bench.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback between the SDK clients and the queue server, to cut the service off on
 * purpose. Passing, it forwards bytes both ways. In an outage it drops every open connection and
 * closes each new one at once (connection refused or reset, as when a service is gone); stalled, it
 * accepts and holds connections without forwarding a byte (as when packets are lost). The run's
 * clients and workers must reach the server only through it.
 */
public final class ChaosProxy implements AutoCloseable {
  /** What the proxy does with traffic. */
  public enum Mode { PASS, OUTAGE, STALL }

  private final ServerSocket listener;
  private final int upstreamPort;
  private final ExecutorService pumps = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "chaos-proxy");
    thread.setDaemon(true);
    return thread;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong connections = new AtomicLong();
  private volatile Mode mode = Mode.PASS;
  private volatile boolean closed;

  private ChaosProxy(ServerSocket listener, int upstreamPort) {
    this.listener = listener;
    this.upstreamPort = upstreamPort;
  }

  /** Listens on a free loopback port and forwards to {@code upstreamPort} on loopback. */
  public static ChaosProxy start(int upstreamPort) throws IOException {
    ServerSocket listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    ChaosProxy proxy = new ChaosProxy(listener, upstreamPort);
    proxy.pumps.execute(proxy::acceptLoop);
    return proxy;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** Connections accepted so far. */
  public long connections() {
    return connections.get();
  }

  /** Switches mode; an outage or a stall also cuts the connections open now. */
  public void mode(Mode mode) {
    this.mode = mode;
    if (mode != Mode.PASS) {
      open.forEach(ChaosProxy::closeQuietly);
      open.clear();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      connections.incrementAndGet();
      switch (mode) {
        case OUTAGE -> closeQuietly(client);
        case STALL -> open.add(client); // held, never answered, until the mode changes
        case PASS -> pumps.execute(() -> connect(client));
      }
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5_000);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
      return;
    }
    open.add(client);
    open.add(upstream);
    pumps.execute(() -> pump(client, upstream));
    pump(upstream, client);
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        if (mode != Mode.PASS) {
          break;
        }
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException e) {
      // the other side went away: close both
    } finally {
      open.remove(from);
      open.remove(to);
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    open.forEach(ChaosProxy::closeQuietly);
    pumps.shutdownNow();
  }
}
