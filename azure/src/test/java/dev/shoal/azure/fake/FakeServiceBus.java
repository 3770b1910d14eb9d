package dev.shoal.azure.fake;

import dev.shoal.azure.servicebus.ServiceBusClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A protocol-level fake of an Azure Service Bus namespace, for tests with the real Java SDK: an
 * AMQP 1.0 peer on {@code 127.0.0.1:<ephemeral port>} that the SDK reaches in emulator mode
 * ({@link #connectionString()}: plain AMQP, no TLS), plus the administration API over HTTP on
 * another ephemeral port ({@link #adminEndpoint()}).
 *
 * <pre>{@code
 * try (FakeServiceBus bus = FakeServiceBus.start()) {
 *   Transport transport = new ServiceBusTransportProvider().create(bus.transportSettings());
 *   ...
 * }
 * }</pre>
 *
 * <p>What it does, each in a class of its own: SASL and connections ({@link FakeAmqpConnection}),
 * the {@code $cbs} put-token handshake with shared access signatures checked against its key
 * ({@link FakeCbs}), queues and their dead-letter sub-queues ({@link FakeNamespace},
 * {@link FakeQueue}), peek-lock with lock tokens as delivery tags in .NET GUID byte order, the
 * {@code x-opt-locked-until}, {@code x-opt-sequence-number} and {@code x-opt-enqueued-time}
 * annotations, the header's delivery-count, complete (Accepted), abandon (Modified), release
 * (Released) and dead-letter (Rejected with {@code com.microsoft:dead-letter}, reason and
 * description), lock expiry (the message comes back with one more delivery), and
 * {@code maxDeliveryCount} and time-to-live moving messages to {@code <queue>/$deadletterqueue}
 * ({@link FakeMessageStore}); batches (message format 0x80013700) and the link's
 * {@code max-message-size} ({@link FakeMessage}); the {@code $management} node's renew-lock and
 * peek ({@link FakeManagement}); queue create, update, get with runtime counts, and delete
 * ({@link FakeAdminHttp}).
 *
 * <p>What it does not model: TLS, WebSockets and proxies; throttling and server-busy errors;
 * quotas (namespace and queue size, message counts); sessions, partitioning, duplicate detection,
 * transactions, scheduled and deferred messages, auto-forwarding, topics and subscriptions;
 * receive-and-delete mode; update-disposition and the other management operations but renew-lock
 * and peek; a message's own time-to-live (only the queue's default applies, checked when a message
 * is about to be delivered); auto-delete-on-idle (stored, never applied); authorization of the
 * administration API and of JSON web tokens (only shared access signatures are checked), and
 * rights (Listen, Send, Manage) within a token; the service's real timing (locks expire on a timer
 * in this JVM, to the millisecond, never early or late as clock skew would make them; lock
 * durations under the service's minimum are accepted; it never closes an idle link or connection);
 * geo-replication and anything about durability: it holds everything in memory, and a closed fake
 * forgets it all.
 */
public final class FakeServiceBus implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FakeServiceBus.class);
  /** The largest message the Standard tier takes. */
  public static final int STANDARD_MAX_MESSAGE_BYTES = 256 * 1024;
  static final String KEY_NAME = "RootManageSharedAccessKey";

  private final ScheduledExecutorService loop;
  private final ServerSocket server;
  private final FakeAdminHttp admin;
  private final FakeNamespace namespace;
  private final FakeCbs cbs;
  private final FakeManagement management;
  private final FakeOperations operations = new FakeOperations();
  private final String key;
  private final int maxMessageBytes;
  private final List<FakeAmqpConnection> connections = new ArrayList<>();
  private final AtomicInteger connectionCount = new AtomicInteger();
  private volatile boolean closed;

  private FakeServiceBus(int maxMessageBytes) throws IOException {
    this.maxMessageBytes = maxMessageBytes;
    this.loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "fake-servicebus-loop");
      thread.setDaemon(true);
      return thread;
    });
    Clock clock = Clock.systemUTC();
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = Base64.getEncoder().encodeToString(secret);
    this.namespace = new FakeNamespace(clock, loop);
    this.cbs = new FakeCbs(KEY_NAME, key, clock);
    this.management = new FakeManagement(namespace, operations);
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    try {
      this.admin = new FakeAdminHttp(namespace, loop, operations);
    } catch (IOException e) {
      server.close();
      loop.shutdownNow();
      throw e;
    }
    Thread acceptor = new Thread(this::accept, "fake-servicebus-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A fake namespace of the Standard tier (256 KiB messages). */
  public static FakeServiceBus start() {
    return start(STANDARD_MAX_MESSAGE_BYTES);
  }

  /** A fake namespace whose links take messages of up to {@code maxMessageBytes} (Premium: up to 100 MB). */
  public static FakeServiceBus start(int maxMessageBytes) {
    try {
      return new FakeServiceBus(maxMessageBytes);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the fake Service Bus", e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** The connection string in emulator mode: plain AMQP to this fake, signed with its key. */
  public String connectionString() {
    return "Endpoint=sb://127.0.0.1:" + port() + ";SharedAccessKeyName=" + KEY_NAME + ";SharedAccessKey=" + key
        + ";UseDevelopmentEmulator=true";
  }

  /** Where the administration API listens (plain HTTP). */
  public URI adminEndpoint() {
    return admin.endpoint();
  }

  /** What clients asked of this namespace so far, by kind of operation. */
  public FakeOperations operations() {
    return operations;
  }

  /** Settings for the "servicebus" transport provider that point it at this fake. */
  public Map<String, String> transportSettings() {
    return Map.of(ServiceBusClients.CONNECTION, connectionString(),
        ServiceBusClients.ADMIN_ENDPOINT, adminEndpoint().toString(),
        ServiceBusClients.MAX_MESSAGE_BYTES, Integer.toString(maxMessageBytes));
  }

  private void accept() {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("fake Service Bus stopped accepting: {}", e.toString());
        }
        return;
      }
      FakeAmqpConnection connection = new FakeAmqpConnection(socket,
          "fake-servicebus-connection-" + connectionCount.incrementAndGet(), loop, namespace, cbs, management,
          maxMessageBytes, operations);
      try {
        loop.execute(() -> {
          connections.add(connection);
          try {
            connection.start();
          } catch (IOException e) {
            connection.shutdown();
          }
        });
      } catch (RejectedExecutionException stopped) {
        closeQuietly(socket);
        return;
      }
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
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    admin.close();
    try {
      loop.submit(() -> connections.forEach(FakeAmqpConnection::shutdown)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("fake Service Bus: closing connections: {}", e.toString());
    }
    loop.shutdownNow();
  }
}
