package dev.shoal.dashboard;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses requests whose {@code Host} is not a loopback name, on a dashboard bound to loopback.
 * Binding to 127.0.0.1 keeps other machines out, but not a page in the user's own browser from
 * another site whose name it re-points at 127.0.0.1 (DNS rebinding): its requests name that site.
 */
final class HostCheck extends Filter {
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final JsonMapping json;

  HostCheck(JsonMapping json) {
    this.json = json;
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    String host = exchange.getRequestHeaders().getFirst("Host");
    if (host == null || !LOOPBACK_NAMES.contains(hostName(host))) {
      HttpResponses.error(exchange, json, 403, "this dashboard serves only requests to a loopback address "
          + "(localhost, 127.0.0.1), not to '" + host + "'");
      return;
    }
    chain.doFilter(exchange);
  }

  static String hostName(String host) {
    String value = host.trim().toLowerCase(Locale.ROOT);
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      return close < 0 ? value : value.substring(0, close + 1);
    }
    int colon = value.lastIndexOf(':');
    return colon < 0 ? value : value.substring(0, colon);
  }

  @Override
  public String description() {
    return "loopback Host check";
  }
}
