package dev.shoal.aws;

import dev.shoal.spi.PublishListener;
import dev.shoal.spi.ThrottledNudger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * Nudges the dispatcher Lambda when the client publishes tasks, so the pool grows within seconds
 * instead of at the dispatcher's next scheduled run: an asynchronous ({@code Event}) invoke, at most
 * one per {@linkplain Builder#minInterval interval} (default one second), carrying every task
 * published since the last one (see {@link ThrottledNudger}, which also keeps the call off the
 * publishing thread).
 *
 * <p>Hook it into a queue executor with {@code QueueExecutor.builder().publishListener(nudger)}.
 * It never throws into the publisher: a failed invoke is logged, and the schedule still runs.
 */
public final class LambdaNudger implements PublishListener, AutoCloseable {
  private final LambdaClient lambda;
  private final boolean ownsClient;
  private final ThrottledNudger nudger;

  private LambdaNudger(Builder builder) {
    String functionName = Objects.requireNonNull(builder.functionName, "a nudger needs the function's name or ARN");
    if (builder.lambda != null) {
      this.lambda = builder.lambda;
      this.ownsClient = builder.ownsClient;
    } else {
      this.lambda = AwsClients.configure(LambdaClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
          builder.settings).build();
      this.ownsClient = true;
    }
    this.nudger = ThrottledNudger.create(functionName, nudge -> lambda.invoke(r -> r.functionName(functionName)
        .invocationType(InvocationType.EVENT).payload(SdkBytes.fromString(nudge.toJson(), StandardCharsets.UTF_8))),
        builder.minInterval, builder.clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Invokes the dispatcher unless it did so just now, telling it how many tasks went out in how many messages. */
  @Override
  public void published(int tasks, int messages) {
    nudger.published(tasks, messages);
  }

  /** Invokes that reached Lambda so far. */
  public long invokes() {
    return nudger.sent();
  }

  /** Invokes that failed so far (each logged). */
  public long failures() {
    return nudger.failed();
  }

  @Override
  public void close() {
    nudger.close();
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
