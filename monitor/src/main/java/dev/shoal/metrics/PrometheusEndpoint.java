package dev.shoal.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a Prometheus registry's metrics at {@code /metrics}, on the loopback interface unless told
 * otherwise: a scrape endpoint is read-only, but what it says about a run is nobody else's business
 * by default.
 */
public final class PrometheusEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PrometheusEndpoint.class);

  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private final ExecutorService threads;

  private PrometheusEndpoint(PrometheusMeterRegistry registry, InetSocketAddress address) {
    this.registry = registry;
    try {
      this.server = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + address + ": " + e.getMessage(), e);
    }
    this.threads = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "shoal-prometheus");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(threads);
    server.createContext("/metrics", this::scrape);
    server.start();
    log.info("metrics at {}", uri());
  }

  /** A new Prometheus registry served on this port of the loopback interface (0: any free port). */
  public static PrometheusEndpoint onLoopback(int port) {
    return serve(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  /** This registry served at this address. */
  public static PrometheusEndpoint serve(PrometheusMeterRegistry registry, InetSocketAddress address) {
    return new PrometheusEndpoint(registry, address);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Where to scrape. */
  public URI uri() {
    InetSocketAddress bound = server.getAddress();
    return URI.create("http://" + bound.getAddress().getHostAddress() + ":" + bound.getPort() + "/metrics");
  }

  private void scrape(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    registry.close();
  }
}
