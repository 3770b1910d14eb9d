package dev.shoal.worker;

import dev.shoal.internal.wire.BundleWriter;
import dev.shoal.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Posts results to their reply queues, one {@link Batcher} per reply address, packing the results
 * of a batch into as few bundles as the transport's message limit allows.
 */
final class ResultPublisher {
  /**
   * An encoded result on its way.
   *
   * @param owner the message whose task it is
   * @param required whether the owner may be acked without it; results that only report an
   *     envelope headed for the dead-letter queue are not required
   */
  record Pending(byte[] envelope, HeldMessage owner, boolean required) {}

  private final Transport transport;
  private final BundleWriter bundles;
  private final ScheduledExecutorService timer;
  private final Duration retryLimit;
  private final BooleanSupplier abandoned;
  private final Consumer<Pending> posted;
  private final Consumer<Pending> givenUp;
  // One lane per reply queue: a run has one, so this grows with the runs a worker serves, not its tasks.
  private final Map<String, Batcher<Pending>> lanes = new ConcurrentHashMap<>();

  ResultPublisher(Transport transport, ScheduledExecutorService timer, Duration retryLimit,
      BooleanSupplier abandoned, Consumer<Pending> posted, Consumer<Pending> givenUp) {
    this.transport = transport;
    this.bundles = BundleWriter.results(transport.limits().maxMessageBytes());
    this.timer = timer;
    this.retryLimit = retryLimit;
    this.abandoned = abandoned;
    this.posted = posted;
    this.givenUp = givenUp;
  }

  void post(String reply, byte[] envelope, HeldMessage owner, boolean required) {
    lanes.computeIfAbsent(reply, this::lane).add(new Pending(envelope, owner, required));
  }

  private Batcher<Pending> lane(String reply) {
    return new Batcher<>("results to " + reply, batch -> send(reply, batch),
        batch -> batch.forEach(posted), (batch, error) -> batch.forEach(givenUp), timer, retryLimit, abandoned);
  }

  private CompletableFuture<Void> send(String reply, List<Pending> batch) {
    List<byte[]> bodies = bundles.pack(batch, Pending::envelope).stream().map(BundleWriter.Bundle::body).toList();
    return transport.send(reply, bodies);
  }
}
