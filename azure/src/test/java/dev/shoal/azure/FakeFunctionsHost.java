package dev.shoal.azure;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A fake of the Azure Functions host's HTTP front end for one function with auth level {@code
 * function}, on a loopback port (a JDK {@link HttpServer}): {@code POST /api/<function>} with the
 * function's key in the {@code x-functions-key} header (or the {@code code} query parameter) is
 * handed to a {@link Handler}, as the host hands it to the function; a wrong or missing key gets
 * 401, another path or method 404, and a handler that throws 500, as the host answers a failed
 * invocation. It records every request it received, before handling it.
 *
 * <p>What it does not model: TLS, the host's own keys (master, system), routes with parameters,
 * request size limits, cold starts, and the scale controller.
 */
public final class FakeFunctionsHost implements AutoCloseable {
  /** What the function makes of a request's body. */
  @FunctionalInterface
  public interface Handler {
    Reply handle(String body) throws Exception;
  }

  /** The function's answer. */
  public record Reply(int status, String contentType, String body) {
    public static Reply ok(String json) {
      return new Reply(200, "application/json", json);
    }
  }

  /**
   * A request as the host received it.
   *
   * @param key the key it carried (header or query), null without one
   */
  public record Request(String method, String path, String key, String contentType, String body) {}

  private final String function;
  private final String key;
  private final Handler handler;
  private final HttpServer server;
  private final ExecutorService executor;
  private final List<Request> requests = new ArrayList<>();

  private FakeFunctionsHost(String function, String key, Handler handler) throws IOException {
    this.function = Objects.requireNonNull(function, "function");
    this.key = Objects.requireNonNull(key, "key");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.executor = Executors.newFixedThreadPool(4, runnable -> {
      Thread thread = new Thread(runnable, "fake-functions-host");
      thread.setDaemon(true);
      return thread;
    });
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::exchange);
    server.setExecutor(executor);
    server.start();
  }

  /** A host serving {@code function} behind {@code key}. */
  public static FakeFunctionsHost start(String function, String key, Handler handler) throws IOException {
    return new FakeFunctionsHost(function, key, handler);
  }

  /** The function's URL: {@code http://127.0.0.1:<port>/api/<function>}. */
  public URI url() {
    return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
        + server.getAddress().getPort() + "/api/" + function);
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  private void exchange(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String given = exchange.getRequestHeaders().getFirst("x-functions-key");
      if (given == null) {
        given = queryParameter(exchange.getRequestURI(), "code");
      }
      Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), given,
          exchange.getRequestHeaders().getFirst("Content-Type"), body);
      synchronized (requests) {
        requests.add(request);
      }
      if (!request.path().equals("/api/" + function) || !request.method().toUpperCase(Locale.ROOT).equals("POST")) {
        reply(exchange, new Reply(404, "text/plain", "not found"));
      } else if (!key.equals(given)) {
        reply(exchange, new Reply(401, "text/plain", ""));
      } else {
        Reply reply;
        try {
          reply = handler.handle(body);
        } catch (Exception e) {
          reply = new Reply(500, "text/plain", "");
        }
        reply(exchange, reply);
      }
    }
  }

  private static String queryParameter(URI uri, String name) {
    if (uri.getRawQuery() == null) {
      return null;
    }
    for (String pair : uri.getRawQuery().split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0 && pair.substring(0, equals).equals(name)) {
        return java.net.URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static void reply(HttpExchange exchange, Reply reply) throws IOException {
    byte[] bytes = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
    if (reply.contentType() != null) {
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
    }
    exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
