package dev.shoal.dashboard;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A web page on a task database: its runs, and for each the state of its tasks, a timeline per
 * worker, its throughput, its DAG, its workers and scaling decisions, refreshed every second and a
 * half while the run goes on. Served by the JDK's own HTTP server from the moment it is built
 * until it is closed; read-only.
 *
 * <pre>{@code
 * try (Dashboard dashboard = Dashboard.builder().database(Path.of("runinfo/monitoring.db")).build()) {
 *   System.out.println("open " + dashboard.url());
 *   ...
 * }
 * }</pre>
 *
 * <p>It listens on 127.0.0.1 only, unless told otherwise: the page shows program names, task
 * errors and worker names to whoever can reach it, and has no login. Bound to loopback it also
 * answers only requests that name a loopback host, so that another site's page in the same browser
 * cannot read it through DNS rebinding. {@link Builder#bindAddress} opens it wider, knowingly.
 */
public final class Dashboard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);

  private final Path database;
  private final HttpServer server;
  private final ExecutorService threads;
  private final URI url;

  private Dashboard(Builder builder) {
    this.database = builder.database;
    JsonMapping json = new JsonMapping();
    InetAddress address = builder.bindAddress;
    try {
      this.server = HttpServer.create(new InetSocketAddress(address, builder.port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the dashboard on " + address.getHostAddress() + ":" + builder.port
          + ": " + e.getMessage(), e);
    }
    HttpContext api = server.createContext("/api/", new ApiHandler(database, json, builder.clock));
    HttpContext page = server.createContext("/", new StaticHandler(json));
    if (address.isLoopbackAddress()) {
      HostCheck check = new HostCheck(json);
      api.getFilters().add(check);
      page.getFilters().add(check);
    }
    this.threads = Executors.newFixedThreadPool(builder.threads, new DaemonThreads());
    server.setExecutor(threads);
    server.start();
    this.url = url(address, server.getAddress().getPort());
    log.info("dashboard of {} at {}", database, url);
  }

  private static URI url(InetAddress address, int port) {
    String host;
    if (address.isAnyLocalAddress()) {
      // Reachable from here whatever the machine's names are.
      host = "127.0.0.1";
    } else if (address instanceof Inet6Address) {
      host = "[" + address.getHostAddress().replaceAll("%.*$", "") + "]";
    } else {
      host = address.getHostAddress();
    }
    return URI.create("http://" + host + ":" + port + "/");
  }

  public static Builder builder() {
    return new Builder(null, 0, loopback(), 4, Clock.systemUTC());
  }

  /** Where to point a browser: {@code http://127.0.0.1:<port>/}. */
  public URI url() {
    return url;
  }

  /** The address and port it listens on (the port chosen, when built with port 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  public Path database() {
    return database;
  }

  /** Stops serving; requests under way get a moment to finish. */
  @Override
  public void close() {
    server.stop(1);
    threads.shutdown();
    try {
      if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
        threads.shutdownNow();
      }
    } catch (InterruptedException e) {
      threads.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "Dashboard[" + database + " at " + url + "]";
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are an IPv4 address", e);
    }
  }

  private static final class DaemonThreads implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "shoal-dashboard-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }

  /** How to serve a dashboard; each setter returns a new builder, so one may be shared and varied. */
  public static final class Builder {
    private final Path database;
    private final int port;
    private final InetAddress bindAddress;
    private final int threads;
    private final Clock clock;

    private Builder(Path database, int port, InetAddress bindAddress, int threads, Clock clock) {
      this.database = database;
      this.port = port;
      this.bindAddress = bindAddress;
      this.threads = threads;
      this.clock = clock;
    }

    /** The task database to show (required). It may not exist yet: the page waits for its first run. */
    public Builder database(Path file) {
      return new Builder(Objects.requireNonNull(file, "file"), port, bindAddress, threads, clock);
    }

    /** The port; 0 (the default) takes any free one, which {@link Dashboard#url()} then names. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
      }
      return new Builder(database, port, bindAddress, threads, clock);
    }

    /**
     * The address to listen on; 127.0.0.1 by default, so that only this machine can reach the
     * page. Another address (or {@code 0.0.0.0}) shows the runs to anyone who can reach it.
     */
    public Builder bindAddress(InetAddress address) {
      return new Builder(database, port, Objects.requireNonNull(address, "address"), threads, clock);
    }

    /** As {@link #bindAddress(InetAddress)}, by name or literal address. */
    public Builder bindAddress(String address) {
      try {
        return bindAddress(InetAddress.getByName(Objects.requireNonNull(address, "address")));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("unknown bind address '" + address + "'", e);
      }
    }

    /** Threads answering requests (default 4): each reads the database with a connection of its own. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1: " + threads);
      }
      return new Builder(database, port, bindAddress, threads, clock);
    }

    /** The clock that says how long a running run has been going (tests fix it). */
    Builder clock(Clock clock) {
      return new Builder(database, port, bindAddress, threads, Objects.requireNonNull(clock, "clock"));
    }

    /** Starts serving. */
    public Dashboard build() {
      if (database == null) {
        throw new IllegalStateException("a dashboard needs a task database: call database(Path) first");
      }
      return new Dashboard(this);
    }
  }
}
