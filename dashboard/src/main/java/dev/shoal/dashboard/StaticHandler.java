package dev.shoal.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The page itself: {@code /} and the few files it loads, by name from a fixed list. */
final class StaticHandler implements HttpHandler {
  private final JsonMapping json;
  private final Map<String, byte[]> loaded = new ConcurrentHashMap<>();

  StaticHandler(JsonMapping json) {
    this.json = json;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      HttpResponses.error(exchange, json, 405, method + " is not served");
      return;
    }
    String path = exchange.getRequestURI().getRawPath();
    String name = path == null || path.equals("/") ? WebAssets.INDEX : path.substring(1);
    Optional<String> type = WebAssets.servedType(name);
    if (type.isEmpty()) {
      HttpResponses.send(exchange, 404, "text/plain; charset=utf-8",
          "not found\n".getBytes(StandardCharsets.UTF_8), false);
      return;
    }
    byte[] body = loaded.computeIfAbsent(name, WebAssets::bytes);
    HttpResponses.send(exchange, 200, type.get(), body, true);
  }
}
