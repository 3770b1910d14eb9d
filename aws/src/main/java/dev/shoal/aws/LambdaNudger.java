package dev.shoal.aws;

import dev.shoal.spi.PublishListener;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * Nudges the dispatcher Lambda when the client publishes tasks, so the pool grows within seconds
 * instead of at the dispatcher's next scheduled run: an asynchronous ({@code Event}) invoke, at most
 * one per {@linkplain Builder#minInterval interval} (default one second); publishes in between are
 * covered by the invoke already made, since the dispatcher reads the queue's depth itself.
 *
 * <p>Hook it into a queue executor with {@code QueueExecutor.builder().publishListener(nudger)}.
 * It never throws into the publisher: a failed invoke is logged, and the schedule still runs.
 * The invoke happens on the publishing thread; it is a single short HTTP call.
 */
public final class LambdaNudger implements PublishListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LambdaNudger.class);

  private final LambdaClient lambda;
  private final boolean ownsClient;
  private final String functionName;
  private final long minIntervalNanos;
  private final Clock clock;
  private final AtomicLong lastInvoke = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong invokes = new AtomicLong();

  private LambdaNudger(Builder builder) {
    this.functionName = Objects.requireNonNull(builder.functionName, "a nudger needs the function's name or ARN");
    this.minIntervalNanos = builder.minInterval.toNanos();
    this.clock = builder.clock;
    if (builder.lambda != null) {
      this.lambda = builder.lambda;
      this.ownsClient = builder.ownsClient;
    } else {
      this.lambda = AwsClients.configure(LambdaClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
          builder.settings).build();
      this.ownsClient = true;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Invokes the dispatcher unless it did so just now, telling it how many tasks went out in how
   * many messages (the queue it reads counts messages).
   */
  @Override
  public void published(int tasks, int messages) {
    if (tasks <= 0) {
      return;
    }
    long now = clock.millis() * 1_000_000L;
    long last = lastInvoke.get();
    if (last != Long.MIN_VALUE && now - last < minIntervalNanos) {
      return;
    }
    if (!lastInvoke.compareAndSet(last, now)) {
      return; // another thread nudges right now
    }
    try {
      lambda.invoke(r -> r.functionName(functionName).invocationType(InvocationType.EVENT)
          .payload(SdkBytes.fromString("{\"source\":\"shoal.nudge\",\"tasks\":" + tasks + ",\"messages\":"
              + messages + "}",
              StandardCharsets.UTF_8)));
      invokes.incrementAndGet();
    } catch (RuntimeException e) {
      log.warn("could not nudge dispatcher {}: {}", functionName, e.toString());
    }
  }

  /** Invokes made so far. */
  public long invokes() {
    return invokes.get();
  }

  @Override
  public void close() {
    if (ownsClient) {
      lambda.close();
    }
  }

  /** Builds a {@link LambdaNudger}. */
  public static final class Builder {
    private LambdaClient lambda;
    private boolean ownsClient;
    private Map<String, String> settings = Map.of();
    private String functionName;
    private Duration minInterval = Duration.ofSeconds(1);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The dispatcher function's name or ARN (the stack's {@code DispatcherFunctionName} output). */
    public Builder functionName(String name) {
      this.functionName = name;
      return this;
    }

    public Builder lambda(LambdaClient client, boolean owned) {
      this.lambda = Objects.requireNonNull(client, "client");
      this.ownsClient = owned;
      return this;
    }

    /** Settings for the client built when none is given (endpoint, region, credentials; see {@link SqsClients}). */
    public Builder settings(Map<String, String> settings) {
      this.settings = Map.copyOf(settings);
      return this;
    }

    /** At most one invoke per this interval (default 1 s). */
    public Builder minInterval(Duration interval) {
      if (interval.isNegative()) {
        throw new IllegalArgumentException("interval must not be negative: " + interval);
      }
      this.minInterval = interval;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public LambdaNudger build() {
      return new LambdaNudger(this);
    }
  }
}
