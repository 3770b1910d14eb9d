package dev.shoal.azure.servicebus;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import java.net.URI;
import java.net.URL;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Sends the administration client's requests to another base URL (scheme, host and port), keeping
 * their path and query: the emulator serves the administration API on its own plain-HTTP port,
 * which the SDK's client, built for {@code https://<namespace>}, cannot be told otherwise.
 */
final class AdminEndpointPolicy implements HttpPipelinePolicy {
  private final URI base;

  AdminEndpointPolicy(URI base) {
    this.base = Objects.requireNonNull(base, "base");
    if (base.getScheme() == null || base.getHost() == null) {
      throw new IllegalArgumentException("an administration endpoint needs a scheme and a host: " + base);
    }
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    HttpRequest request = context.getHttpRequest();
    URL url = request.getUrl();
    request.setUrl(base.getScheme() + "://" + base.getRawAuthority() + url.getPath()
        + (url.getQuery() == null ? "" : "?" + url.getQuery()));
    return next.process();
  }
}
