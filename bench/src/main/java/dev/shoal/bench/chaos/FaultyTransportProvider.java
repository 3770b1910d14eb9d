package dev.shoal.bench.chaos;

import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.TransportLimits;
import dev.shoal.spi.TransportProvider;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  private static final class Faulty implements Transport {
    private final Transport inner;
    private final Instant from;
    private final Instant until;
    private final double rate;

    Faulty(Transport inner, Instant from, Instant until, double rate) {
      this.inner = inner;
      this.from = from;
      this.until = until;
      this.rate = rate;
    }

    private <T> CompletableFuture<T> maybeFail(String what, Supplier<CompletableFuture<T>> call) {
      Instant now = Instant.now();
      if (!now.isBefore(from) && now.isBefore(until) && ThreadLocalRandom.current().nextDouble() < rate) {
        boolean throttled = ThreadLocalRandom.current().nextBoolean();
        return CompletableFuture.failedFuture(new TransportException("could not " + what + ": "
            + (throttled ? "429 ThrottlingException: Rate exceeded (injected)" : "503 Service Unavailable (injected)"),
            true));
      }
      return call.get();
    }

    @Override public TransportLimits limits() { return inner.limits(); }
    @Override public boolean isAddress(String nameOrAddress) { return inner.isAddress(nameOrAddress); }

    @Override
    public CompletableFuture<String> createQueue(String name, QueueOptions options) {
      return inner.createQueue(name, options);
    }

    @Override
    public CompletableFuture<String> queueAddress(String name) {
      return inner.queueAddress(name);
    }

    @Override
    public CompletableFuture<Void> deleteQueue(String address) {
      return inner.deleteQueue(address);
    }

    @Override
    public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
      return maybeFail("send", () -> inner.send(address, bodies));
    }

    @Override
    public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
      return maybeFail("receive", () -> inner.receive(address, max, wait));
    }

    @Override
    public CompletableFuture<Void> ack(String address, List<ReceivedMessage> messages) {
      return maybeFail("delete", () -> inner.ack(address, messages));
    }

    @Override
    public CompletableFuture<Void> extendLease(String address, List<ReceivedMessage> messages, Duration visibility) {
      return maybeFail("change visibility", () -> inner.extendLease(address, messages, visibility));
    }

    @Override
    public CompletableFuture<Void> deadLetter(String address, ReceivedMessage message, String reason) {
      return maybeFail("dead-letter", () -> inner.deadLetter(address, message, reason));
    }

    @Override
    public CompletableFuture<QueueDepth> depth(String address) {
      return maybeFail("read depth", () -> inner.depth(address));
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
