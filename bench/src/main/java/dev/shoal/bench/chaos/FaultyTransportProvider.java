package dev.shoal.bench.chaos;

import dev.shoal.spi.ForwardingTransport;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.TransportProvider;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Transport "faulty": another transport ({@code inner}, e.g. "sqs") whose calls fail, within a
 * window of wall-clock time, with the retryable errors a throttled or failing service gives
 * (what the SQS transport turns 429 and 5xx answers into). Settings: {@code faults.from} and
 * {@code faults.until} (ISO-8601 instants), {@code faults.rate} (0..1, the share of calls that
 * fail), and the inner transport's own settings. Worker processes find it on the bench's class path.
 */
public final class FaultyTransportProvider implements TransportProvider {
  public static final String INNER = "faults.inner";
  public static final String FROM = "faults.from";
  public static final String UNTIL = "faults.until";
  public static final String RATE = "faults.rate";

  @Override
  public String name() {
    return "faulty";
  }

  @Override
  public Transport create(Map<String, String> settings) {
    Map<String, String> inner = new HashMap<>(settings);
    String innerName = inner.remove(INNER);
    Instant from = Instant.parse(inner.remove(FROM));
    Instant until = Instant.parse(inner.remove(UNTIL));
    double rate = Double.parseDouble(inner.remove(RATE));
    return new Faulty(TransportProvider.named(innerName == null ? "sqs" : innerName).create(inner), from, until, rate);
  }

  /** Wraps a transport; every call is a candidate for an injected failure. */
  public static Transport wrap(Transport inner, Instant from, Instant until, double rate) {
    return new Faulty(inner, from, until, rate);
  }

  private static final class Faulty extends ForwardingTransport {
    /** The calls a throttled service fails; queue set-up and tags are left alone. */
    private static final Set<String> FAILING = Set.of("send", "receive", "ack", "extend lease", "dead-letter", "depth");

    private final Instant from;
    private final Instant until;
    private final double rate;

    Faulty(Transport inner, Instant from, Instant until, double rate) {
      super(inner);
      this.from = from;
      this.until = until;
      this.rate = rate;
    }

    @Override
    protected <T> CompletableFuture<T> forward(String operation, Supplier<CompletableFuture<T>> call) {
      Instant now = Instant.now();
      if (FAILING.contains(operation) && !now.isBefore(from) && now.isBefore(until)
          && ThreadLocalRandom.current().nextDouble() < rate) {
        boolean throttled = ThreadLocalRandom.current().nextBoolean();
        return CompletableFuture.failedFuture(new TransportException("could not " + operation + ": "
            + (throttled ? "429 ThrottlingException: Rate exceeded (injected)" : "503 Service Unavailable (injected)"),
            true));
      }
      return call.get();
    }
  }
}
