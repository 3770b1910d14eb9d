package dev.shoal.azure.dispatcher;

import dev.shoal.spi.ForwardingTransport;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker function's transport: the app's own Service Bus transport for everything it sends
 * (results to reply queues, a redelivered bundle's tasks back to the task queue), and, for the
 * messages the trigger delivered, the Functions host's hands. The host received those messages and
 * holds their locks on a receiver of its own; the Java worker is given no handle to settle them
 * with (the Java library has no {@code ServiceBusMessageActions}: azure-functions-java-worker#336),
 * so no call on them could succeed here, and none is made:
 *
 * <ul>
 *   <li><b>lease renewals</b> are the host's ({@code maxAutoLockRenewalDuration} in host.json):
 *       asked of this transport, they are done at once, doing nothing;
 *   <li><b>acks</b> are the host's ({@code autoCompleteMessages}: it completes the whole batch when
 *       the function returns);
 *   <li><b>dead letters</b> cannot be made: the message is logged with its reason, counted, and
 *       then done with like any other, so the host completes it. Its client has been told where
 *       that can be trusted (a poison task's, an invalid envelope's without a key), exactly as a VM
 *       worker tells it; what is lost is the copy in the dead-letter queue, whose reason is in the
 *       function's log instead.
 * </ul>
 *
 * Calls about any other queue go to the transport as they are.
 */
final class HostSettledTransport extends ForwardingTransport {
  private static final Logger log = LoggerFactory.getLogger(HostSettledTransport.class);

  private final String taskQueue;
  private final AtomicLong refused = new AtomicLong();

  HostSettledTransport(Transport delegate, String taskQueue) {
    super(delegate);
    this.taskQueue = Objects.requireNonNull(taskQueue, "taskQueue");
  }

  /** How many delivered messages the runner asked to dead-letter, since this transport was made. */
  long refused() {
    return refused.get();
  }

  @Override
  public CompletableFuture<Void> ack(String address, List<ReceivedMessage> messages) {
    if (address.equals(taskQueue)) {
      return CompletableFuture.completedFuture(null);
    }
    return super.ack(address, messages);
  }

  @Override
  public CompletableFuture<Void> extendLease(String address, List<ReceivedMessage> messages, Duration visibility) {
    if (address.equals(taskQueue)) {
      return CompletableFuture.completedFuture(null);
    }
    return super.extendLease(address, messages, visibility);
  }

  @Override
  public CompletableFuture<Void> deadLetter(String address, ReceivedMessage message, String reason) {
    if (address.equals(taskQueue)) {
      refused.incrementAndGet();
      log.warn("message {} of {} refused, not dead-lettered (the Functions host holds it, and the Java worker cannot "
          + "dead-letter for it); it is completed with its batch: {}", message.id(), address, reason);
      return CompletableFuture.completedFuture(null);
    }
    return super.deadLetter(address, message, reason);
  }
}
