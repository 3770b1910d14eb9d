package dev.shoal.spi;

/**
 * A message as received, leased to the receiver until acknowledged or released.
 *
 * @param id the service's message id
 * @param receipt the handle of this delivery, needed to ack it or extend its lease; null for a
 *     message {@linkplain Transport#peek peeked} at, which was not delivered
 * @param body the message body
 * @param receiveCount how many times the message has been delivered, this delivery included
 * @param deadLetterReason for a message received from a dead-letter queue, why it was moved there:
 *     the reason given to {@link Transport#deadLetter}, or the service's own (Service Bus's
 *     {@code MaxDeliveryCountExceeded: ...}); null when none was recorded (a message an SQS
 *     queue's redrive policy moved carries none) and for every message of an ordinary queue
 */
public record ReceivedMessage(String id, String receipt, byte[] body, int receiveCount, String deadLetterReason) {

  /** A message with no dead-letter reason: any message of an ordinary queue. */
  public ReceivedMessage(String id, String receipt, byte[] body, int receiveCount) {
    this(id, receipt, body, receiveCount, null);
  }
}
