package dev.shoal.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What a queue service accepts, as its transport declares it: everything that packs, polls or
 * leases reads its numbers here, so that code outside a transport's own module never assumes one
 * service's limits.
 *
 * @param maxMessageBytes the largest message body, in bytes
 * @param maxSendBatch the most messages one send request may carry
 * @param maxReceiveBatch the most messages one receive may return
 * @param maxReceiveWait the longest a long poll may wait
 * @param maxLease the longest a received message may stay leased
 */
public record TransportLimits(int maxMessageBytes, int maxSendBatch, int maxReceiveBatch, Duration maxReceiveWait,
    Duration maxLease) {

  public TransportLimits {
    positive(maxMessageBytes, "maxMessageBytes");
    positive(maxSendBatch, "maxSendBatch");
    positive(maxReceiveBatch, "maxReceiveBatch");
    Objects.requireNonNull(maxReceiveWait, "maxReceiveWait");
    Objects.requireNonNull(maxLease, "maxLease");
    if (maxReceiveWait.isNegative() || maxLease.isNegative() || maxLease.isZero()) {
      throw new IllegalArgumentException("maxReceiveWait must be >= 0 and maxLease > 0: " + maxReceiveWait + ", "
          + maxLease);
    }
  }

  public TransportLimits withMaxMessageBytes(int bytes) {
    return new TransportLimits(bytes, maxSendBatch, maxReceiveBatch, maxReceiveWait, maxLease);
  }

  /** A long poll of {@code wait}, shortened to what the service allows. */
  public Duration receiveWait(Duration wait) {
    return wait.compareTo(maxReceiveWait) > 0 ? maxReceiveWait : wait;
  }

  /** A lease of {@code lease}, shortened to what the service allows. */
  public Duration lease(Duration lease) {
    return lease.compareTo(maxLease) > 0 ? maxLease : lease;
  }

  private static void positive(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1: " + value);
    }
  }
}
