package dev.shoal.dashboard;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/** Writing an answer, always with the headers that keep a page from being framed, sniffed or fed a script. */
final class HttpResponses {
  /**
   * Nothing but this server's own files and API: no inline script, no other origin. Data that
   * slipped into the page as markup could still not run.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private HttpResponses() {}

  static void send(HttpExchange exchange, int status, String contentType, byte[] body, boolean cache)
      throws IOException {
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", contentType);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.set("Cache-Control", cache ? "no-cache" : "no-store");
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    exchange.close();
  }

  static void json(HttpExchange exchange, JsonMapping json, int status, Object value) throws IOException {
    send(exchange, status, "application/json; charset=utf-8", json.bytes(value), false);
  }

  static void error(HttpExchange exchange, JsonMapping json, int status, String message) throws IOException {
    if (status == 405) {
      exchange.getResponseHeaders().set("Allow", "GET, HEAD");
    }
    json(exchange, json, status, Map.of("status", status, "error", message));
  }
}
