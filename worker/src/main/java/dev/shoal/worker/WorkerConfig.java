package dev.shoal.worker;

import dev.shoal.internal.app.AppRegistry;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.Transport;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Worker} runs: its {@link WorkerOptions} (queue, slots, lease...) and the live parts
 * they name or imply (the opened transport, the signer, the app registry, the codec). Immutable;
 * create with {@link #builder(WorkerOptions)}.
 */
public final class WorkerConfig {
  private final WorkerOptions options;
  private final Transport transport;
  private final EnvelopeSigner signer;
  private final AppRegistry registry;
  private final Duration shutdownGrace;
  private final WireCodec codec;
  private final Duration postRetryLimit;
  private final Duration holdHorizon;
  private final PayloadStore payloadStore;
  private final boolean firstDeliveriesOnly;

  private WorkerConfig(Builder b) {
    WorkerOptions given = b.options;
    // Decided here, on the worker's machine, when the launcher left them open.
    this.options = given
        .withSlots(given.slots() != null ? given.slots() : Runtime.getRuntime().availableProcessors())
        .withWorkerId(given.workerId() != null ? given.workerId() : defaultWorkerId());
    this.transport = Objects.requireNonNull(b.transport, "transport");
    this.signer = b.signer;
    this.registry = b.registry != null ? b.registry : AppRegistry.load();
    this.shutdownGrace = b.shutdownGrace;
    this.codec = b.codec != null ? b.codec : new WireCodec(JsonCodec.create());
    this.postRetryLimit = b.postRetryLimit;
    this.holdHorizon = b.holdHorizon;
    this.payloadStore = b.payloadStore;
    this.firstDeliveriesOnly = b.firstDeliveriesOnly;
  }

  /**
   * A configuration for a worker with these options; its queue must be an address of the transport
   * (resolve a name first), and the options' transport settings are not used: the transport given
   * to the builder is.
   */
  public static Builder builder(WorkerOptions options) {
    return new Builder(options);
  }

  public Builder toBuilder() {
    Builder b = new Builder(options);
    b.transport = transport;
    b.signer = signer;
    b.registry = registry;
    b.shutdownGrace = shutdownGrace;
    b.codec = codec;
    b.postRetryLimit = postRetryLimit;
    b.holdHorizon = holdHorizon;
    b.payloadStore = payloadStore;
    b.firstDeliveriesOnly = firstDeliveriesOnly;
    return b;
  }

  /**
   * The options this worker runs with, with the ones the launcher left open decided: its
   * {@link WorkerOptions#slots() slots} and its {@link WorkerOptions#workerId() id} are never null.
   */
  public WorkerOptions options() {
    return options;
  }

  public Transport transport() {
    return transport;
  }

  /**
   * The signer that verifies task envelopes (the others are dead-lettered unanswered) and signs
   * results; null when unsigned envelopes are accepted and results go unsigned.
   */
  public EnvelopeSigner signer() {
    return signer;
  }

  public AppRegistry registry() {
    return registry;
  }

  /** How long a stopping worker lets its running tasks finish before it releases the rest. */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  public WireCodec codec() {
    return codec;
  }

  /**
   * The payload store given to the worker, or null: it puts large results there (before the
   * options' {@link WorkerOptions#payloadStore()}) and reads the references of its scheme.
   */
  public PayloadStore payloadStore() {
    return payloadStore;
  }

  Duration postRetryLimit() {
    return postRetryLimit;
  }

  /** How soon a task waiting for a slot must be expected to start, or it goes back to the queue for another worker. */
  Duration holdHorizon() {
    return holdHorizon;
  }

  /**
   * Whether the worker runs only messages on their first delivery (default false). A redelivered
   * message may hold a task that crashed the process that ran it; such a worker holds it unrun
   * until it stops, then releases it for another worker (which costs the message one delivery).
   */
  public boolean firstDeliveriesOnly() {
    return firstDeliveriesOnly;
  }

  private static String defaultWorkerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** Builds a {@link WorkerConfig}; the options and the transport are required. */
  public static final class Builder {
    private WorkerOptions options;
    private Transport transport;
    private EnvelopeSigner signer;
    private AppRegistry registry;
    private Duration shutdownGrace = Duration.ofSeconds(30);
    private WireCodec codec;
    // Long enough to ride out a throttling burst or a brief outage, short enough that a message
    // whose reply queue is gone for good goes back to the queue while its lease is still ours.
    private Duration postRetryLimit = Duration.ofMinutes(2);
    // Long against a poll (milliseconds), short against the tasks that make a burst unfair (seconds).
    private Duration holdHorizon = Duration.ofSeconds(1);
    private PayloadStore payloadStore;
    private boolean firstDeliveriesOnly;

    private Builder(WorkerOptions options) {
      options(options);
    }

    public Builder options(WorkerOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    public Builder signer(EnvelopeSigner signer) {
      this.signer = signer;
      return this;
    }

    public Builder registry(AppRegistry registry) {
      this.registry = registry;
      return this;
    }

    public Builder shutdownGrace(Duration grace) {
      Objects.requireNonNull(grace, "shutdownGrace");
      if (grace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must not be negative: " + grace);
      }
      this.shutdownGrace = grace;
      return this;
    }

    public Builder codec(WireCodec codec) {
      this.codec = codec;
      return this;
    }

    /**
     * A payload store already open (the caller owns it and closes it after the worker): large
     * results go there, and references of its scheme are read from it, instead of opening a store
     * from the options' {@link WorkerOptions#payloadStore()} by its scheme.
     */
    public Builder payloadStore(PayloadStore store) {
      this.payloadStore = store;
      return this;
    }

    /** How long posting a batch of results (or an ack) is retried before the worker gives up on it. */
    Builder postRetryLimit(Duration limit) {
      Objects.requireNonNull(limit, "postRetryLimit");
      if (limit.isNegative() || limit.isZero()) {
        throw new IllegalArgumentException("postRetryLimit must be positive: " + limit);
      }
      this.postRetryLimit = limit;
      return this;
    }

    /** How soon a waiting task must be expected to start before it is handed back to the queue (default 1 s). */
    Builder holdHorizon(Duration horizon) {
      Objects.requireNonNull(horizon, "holdHorizon");
      if (horizon.isNegative() || horizon.isZero()) {
        throw new IllegalArgumentException("holdHorizon must be positive: " + horizon);
      }
      this.holdHorizon = horizon;
      return this;
    }

    /**
     * Run only messages on their first delivery, for a worker that shares its process with
     * something that must not die with a task (an in-process worker in the client): a redelivered
     * message, which may hold a task that crashed its worker, is held unrun until this worker
     * stops and then released for the others. It is neither run, split nor judged poison here.
     */
    public Builder firstDeliveriesOnly(boolean firstOnly) {
      this.firstDeliveriesOnly = firstOnly;
      return this;
    }

    public WorkerConfig build() {
      return new WorkerConfig(this);
    }
  }
}
