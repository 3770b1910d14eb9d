package dev.shoal.azure.fake;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the fake namespace was asked to do, by kind, counted where it happens (AMQP frames and
 * administration requests), so that a test can tell what a workload costs in Service Bus
 * operations without a hook in the client. One per {@link FakeServiceBus}.
 *
 * <p>The kinds: {@code send.transfer} (one AMQP transfer to a queue, a batch being one) and
 * {@code send.message} (each message in it); {@code receive.flow} (a grant of credit on a receive
 * link, which the SDK makes for each receive call, and more when it tops up or drains) and
 * {@code receive.message} (each message delivered under a lock); {@code settle.complete},
 * {@code settle.abandon}, {@code settle.release}, {@code settle.deadletter} (the client's
 * dispositions); {@code management.<operation>} ({@code $management} requests, such as
 * {@code com.microsoft:renew-lock}); {@code cbs.put-token}; {@code admin.<METHOD>} (the
 * administration API: queue create, get with its counts, delete).
 */
public final class FakeOperations {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  void count(String kind) {
    count(kind, 1);
  }

  void count(String kind, long times) {
    counts.computeIfAbsent(kind, k -> new LongAdder()).add(times);
  }

  /** The counts so far, by kind, in name order. */
  public Map<String, Long> snapshot() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((kind, count) -> copy.put(kind, count.sum()));
    return copy;
  }
}
