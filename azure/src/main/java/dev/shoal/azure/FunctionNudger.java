package dev.shoal.azure;

import dev.shoal.spi.PublishListener;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nudges the dispatcher Function when the client publishes tasks, so the pool grows within seconds
 * instead of at the Function's next timer tick: an HTTP POST of {@code
 * {"source":"shoal.nudge","tasks":N,"messages":M}} to its nudge URL (the deployment's {@code
 * nudgeUrl} output), with the function's key in the {@value #KEY_HEADER} header, at most one per
 * {@linkplain Builder#minInterval interval} (default one second). Publishes in between are covered
 * by the nudge already sent, since the dispatcher reads the queue's depth itself.
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

  private static final Logger log = LoggerFactory.getLogger(FunctionNudger.class);

  private final URI url;
  private final String functionKey;
  private final long minIntervalNanos;
  private final Duration requestTimeout;
  private final Clock clock;
  private final ExecutorService executor;
  private final HttpClient http;
  private final AtomicLong lastNudge = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong nudges = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean closed;

  private FunctionNudger(Builder builder) {
    this.url = checked(Objects.requireNonNull(builder.url, "a nudger needs the Function's nudge URL"));
    this.functionKey = Objects.requireNonNull(builder.functionKey, "a nudger needs the nudge function's key");
    this.minIntervalNanos = builder.minInterval.toNanos();
    this.requestTimeout = builder.requestTimeout;
    this.clock = builder.clock;
    this.executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "shoal-function-nudger");
      thread.setDaemon(true);
      return thread;
    });
    this.http = HttpClient.newBuilder().executor(executor).connectTimeout(builder.requestTimeout).build();
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
    if (tasks <= 0 || closed) {
      return;
    }
    long now = clock.millis() * 1_000_000L;
    long last = lastNudge.get();
    if (last != Long.MIN_VALUE && now - last < minIntervalNanos) {
      return;
    }
    if (!lastNudge.compareAndSet(last, now)) {
      return; // another thread nudges right now
    }
    HttpRequest request = HttpRequest.newBuilder(url)
        .timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .header(KEY_HEADER, functionKey)
        .POST(HttpRequest.BodyPublishers.ofString("{\"source\":\"shoal.nudge\",\"tasks\":" + tasks
            + ",\"messages\":" + messages + "}"))
        .build();
    try {
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
        if (error != null) {
          Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
              ? error.getCause() : error;
          failed("could not nudge the dispatcher Function at " + url + ": " + cause);
        } else if (response.statusCode() / 100 != 2) {
          failed("the dispatcher Function at " + url + " answered " + response.statusCode() + " to a nudge"
              + (response.statusCode() == 401 || response.statusCode() == 403 ? " (is its function key right?)" : ""));
        } else {
          nudges.incrementAndGet();
        }
      });
    } catch (RuntimeException e) {
      // Closed under us, or the client refused the request: the publisher must not hear of it.
      failed("could not nudge the dispatcher Function at " + url + ": " + e);
    }
  }

  private void failed(String message) {
    failures.incrementAndGet();
    if (!closed) {
      log.warn(message);
    }
  }

  /** Nudges the Function accepted so far. */
  public long nudges() {
    return nudges.get();
  }

  /** Nudges that failed (unreachable, refused, an error answered); for tests. */
  long failures() {
    return failures.get();
  }

  /** Stops nudging; a nudge under way may still complete. */
  @Override
  public void close() {
    closed = true;
    executor.shutdown();
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
