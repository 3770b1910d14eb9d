package dev.shoal.azure;

import dev.shoal.spi.PublishListener;
import dev.shoal.spi.ThrottledNudger;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Nudges the dispatcher Function when the client publishes tasks, so the pool grows within seconds
 * instead of at the Function's next timer tick: an HTTP POST of {@code
 * {"source":"shoal.nudge","tasks":N,"messages":M}} to its nudge URL (the deployment's {@code
 * nudgeUrl} output), with the function's key in the {@value #KEY_HEADER} header, at most one per
 * {@linkplain Builder#minInterval interval} (default one second), carrying every task published
 * since the last one (see {@link ThrottledNudger}, which also keeps the request off the publishing
 * thread).
 *
 * <p>Hook it into a queue executor with {@code QueueExecutor.builder().publishListener(nudger)}.
 * It never blocks or throws into the publisher: the request is sent asynchronously, and a failure
 * (an unreachable Function, a refused key, an error) is logged, while the timer still runs.
 *
 * <pre>{@code
 * FunctionNudger nudger = FunctionNudger.builder()
 *     .url(nudgeUrl)                                   // output nudgeUrl
 *     .functionKey(System.getenv("SHOAL_NUDGE_KEY"))   // az functionapp function keys list ... --function-name nudge
 *     .build();
 * }</pre>
 *
 * <p>The key is a secret: it goes only into the request header, never into a log line, and only
 * over https (or plain http to a loopback address, for a local Functions host).
 */
public final class FunctionNudger implements PublishListener, AutoCloseable {
  /** The header the Functions host reads a function's key from. */
  public static final String KEY_HEADER = "x-functions-key";

  private final URI url;
  private final String functionKey;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final ThrottledNudger nudger;

  private FunctionNudger(Builder builder) {
    this.url = checked(Objects.requireNonNull(builder.url, "a nudger needs the Function's nudge URL"));
    this.functionKey = Objects.requireNonNull(builder.functionKey, "a nudger needs the nudge function's key");
    this.requestTimeout = builder.requestTimeout;
    this.http = HttpClient.newBuilder().connectTimeout(builder.requestTimeout).build();
    this.nudger = ThrottledNudger.create(url.toString(), this::post, builder.minInterval, builder.clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** An https URL, or http to a loopback address (a local Functions host): the key must not travel in clear. */
  private static URI checked(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (scheme.equals("https")) {
      return url;
    }
    String host = url.getHost() == null ? "" : url.getHost();
    if (scheme.equals("http") && (host.equalsIgnoreCase("localhost") || isLoopbackLiteral(host))) {
      return url;
    }
    throw new IllegalArgumentException("the nudge URL must be https (the function key travels in its header), or "
        + "http to a loopback address: " + url.getScheme() + "://" + url.getHost() + "...");
  }

  /** An IP address written out (so that no name is looked up) that is a loopback address. */
  private static boolean isLoopbackLiteral(String host) {
    if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:.]+]")) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Nudges the dispatcher unless it did so just now, telling it how many tasks went out in how many
   * messages (the queue it reads counts messages). Returns at once.
   */
  @Override
  public void published(int tasks, int messages) {
    nudger.published(tasks, messages);
  }

  /** One nudge, on the nudger's own thread; anything but a 2xx answer is a failure, logged by the nudger. */
  private void post(ThrottledNudger.Nudge nudge) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(url)
        .timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .header(KEY_HEADER, functionKey)
        .POST(HttpRequest.BodyPublishers.ofString(nudge.toJson()))
        .build();
    int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    if (status / 100 != 2) {
      throw new IOException("the dispatcher Function answered " + status + " to a nudge"
          + (status == 401 || status == 403 ? " (is its function key right?)" : ""));
    }
  }

  /** Nudges the Function accepted so far. */
  public long nudges() {
    return nudger.sent();
  }

  /** Nudges that failed (unreachable, refused, an error answered), each logged. */
  public long failures() {
    return nudger.failed();
  }

  /** Stops nudging; a nudge under way may still complete. */
  @Override
  public void close() {
    nudger.close();
  }

  @Override
  public String toString() {
    return "FunctionNudger[" + url + "]";
  }

  /** Builds a {@link FunctionNudger}; {@link #build()} may be called again for an independent nudger. */
  public static final class Builder {
    private URI url;
    private String functionKey;
    private Duration minInterval = Duration.ofSeconds(1);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The nudge function's URL, {@code https://<app>.azurewebsites.net/api/nudge} (output {@code nudgeUrl}). */
    public Builder url(URI url) {
      this.url = Objects.requireNonNull(url, "url");
      return this;
    }

    public Builder url(String url) {
      return url(URI.create(Objects.requireNonNull(url, "url")));
    }

    /** The nudge function's key (a secret: read it from the environment or a vault). */
    public Builder functionKey(String key) {
      Objects.requireNonNull(key, "key");
      if (key.isBlank()) {
        throw new IllegalArgumentException("the function key is blank");
      }
      this.functionKey = key;
      return this;
    }

    /** At most one nudge per this interval (default 1 s). */
    public Builder minInterval(Duration interval) {
      if (interval.isNegative()) {
        throw new IllegalArgumentException("interval must not be negative: " + interval);
      }
      this.minInterval = interval;
      return this;
    }

    /** How long connecting, and then the whole request, may take (default 10 s). */
    public Builder requestTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public FunctionNudger build() {
      return new FunctionNudger(this);
    }
  }
}
