package dev.shoal.worker;

import dev.shoal.app.AppRegistry;
import dev.shoal.codec.JsonCodec;
import dev.shoal.transport.Transport;
import dev.shoal.wire.EnvelopeSigner;
import dev.shoal.wire.WireCodec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Worker} runs: which queue it serves, with how many slots, and how long it holds on
 * to messages. Immutable; create with {@link #builder()}.
 */
public final class WorkerConfig {
  private final Transport transport;
  private final String taskQueue;
  private final int slots;
  private final Duration idleTimeout;
  private final Duration leaseDuration;
  private final Duration receiveWait;
  private final int maxDeliveries;
  private final EnvelopeSigner signer;
  private final String workerId;
  private final AppRegistry registry;
  private final Path workDir;
  private final Duration shutdownGrace;
  private final WireCodec codec;
  private final Duration postRetryLimit;

  private WorkerConfig(Builder b) {
    this.transport = Objects.requireNonNull(b.transport, "transport");
    this.taskQueue = Objects.requireNonNull(b.taskQueue, "taskQueue");
    this.slots = b.slots;
    this.idleTimeout = b.idleTimeout;
    this.leaseDuration = b.leaseDuration;
    this.receiveWait = b.receiveWait;
    this.maxDeliveries = b.maxDeliveries;
    this.signer = b.signer;
    this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
    this.registry = b.registry != null ? b.registry : AppRegistry.load();
    this.workDir = b.workDir;
    this.shutdownGrace = b.shutdownGrace;
    this.codec = b.codec != null ? b.codec : new WireCodec(JsonCodec.create());
    this.postRetryLimit = b.postRetryLimit;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.transport = transport;
    b.taskQueue = taskQueue;
    b.slots = slots;
    b.idleTimeout = idleTimeout;
    b.leaseDuration = leaseDuration;
    b.receiveWait = receiveWait;
    b.maxDeliveries = maxDeliveries;
    b.signer = signer;
    b.workerId = workerId;
    b.registry = registry;
    b.workDir = workDir;
    b.shutdownGrace = shutdownGrace;
    b.codec = codec;
    b.postRetryLimit = postRetryLimit;
    return b;
  }

  public Transport transport() {
    return transport;
  }

  /** The address of the queue tasks are received from. */
  public String taskQueue() {
    return taskQueue;
  }

  public int slots() {
    return slots;
  }

  /** The worker stops after this long with nothing received and nothing held; null: never. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** The task queue's visibility timeout: leases are renewed every third of it. */
  public Duration leaseDuration() {
    return leaseDuration;
  }

  public Duration receiveWait() {
    return receiveWait;
  }

  /** Deliveries of a single-task message after which it is treated as poison and dead-lettered. */
  public int maxDeliveries() {
    return maxDeliveries;
  }

  /** The signer that checks envelopes; null when unsigned envelopes are accepted. */
  public EnvelopeSigner signer() {
    return signer;
  }

  public String workerId() {
    return workerId;
  }

  public AppRegistry registry() {
    return registry;
  }

  /** Where command tasks get their directories; null: a fresh temporary directory. */
  public Path workDir() {
    return workDir;
  }

  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  public WireCodec codec() {
    return codec;
  }

  Duration postRetryLimit() {
    return postRetryLimit;
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

  /** Builds a {@link WorkerConfig}; only the transport and the task queue are required. */
  public static final class Builder {
    private Transport transport;
    private String taskQueue;
    private int slots = Runtime.getRuntime().availableProcessors();
    private Duration idleTimeout = Duration.ofMinutes(5);
    private Duration leaseDuration = Duration.ofSeconds(30);
    private Duration receiveWait = Duration.ofSeconds(20);
    private int maxDeliveries = 3;
    private EnvelopeSigner signer;
    private String workerId;
    private AppRegistry registry;
    private Path workDir;
    private Duration shutdownGrace = Duration.ofSeconds(30);
    private WireCodec codec;
    // Long enough to ride out a throttling burst or a brief outage, short enough that a message
    // whose reply queue is gone for good goes back to the queue while its lease is still ours.
    private Duration postRetryLimit = Duration.ofMinutes(2);

    private Builder() {}

    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    public Builder taskQueue(String address) {
      this.taskQueue = Objects.requireNonNull(address, "address");
      return this;
    }

    public Builder slots(int slots) {
      if (slots < 1) {
        throw new IllegalArgumentException("slots must be >= 1: " + slots);
      }
      this.slots = slots;
      return this;
    }

    /** Stop after this long with nothing received and nothing held; null (or zero) for never. */
    public Builder idleTimeout(Duration timeout) {
      if (timeout != null && timeout.isNegative()) {
        throw new IllegalArgumentException("idleTimeout must not be negative: " + timeout);
      }
      this.idleTimeout = timeout == null || timeout.isZero() ? null : timeout;
      return this;
    }

    public Builder leaseDuration(Duration lease) {
      this.leaseDuration = positive(lease, "leaseDuration");
      return this;
    }

    public Builder receiveWait(Duration wait) {
      Objects.requireNonNull(wait, "receiveWait");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("receiveWait must not be negative: " + wait);
      }
      this.receiveWait = wait;
      return this;
    }

    public Builder maxDeliveries(int deliveries) {
      if (deliveries < 1) {
        throw new IllegalArgumentException("maxDeliveries must be >= 1: " + deliveries);
      }
      this.maxDeliveries = deliveries;
      return this;
    }

    public Builder signer(EnvelopeSigner signer) {
      this.signer = signer;
      return this;
    }

    public Builder workerId(String id) {
      if (id != null && id.isBlank()) {
        throw new IllegalArgumentException("workerId must not be blank");
      }
      this.workerId = id;
      return this;
    }

    public Builder registry(AppRegistry registry) {
      this.registry = registry;
      return this;
    }

    public Builder workDir(Path dir) {
      this.workDir = dir;
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

    /** How long posting a batch of results (or an ack) is retried before the worker gives up on it. */
    Builder postRetryLimit(Duration limit) {
      this.postRetryLimit = positive(limit, "postRetryLimit");
      return this;
    }

    public WorkerConfig build() {
      return new WorkerConfig(this);
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }
}
