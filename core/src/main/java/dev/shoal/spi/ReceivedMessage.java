package dev.shoal.spi;

/**
 * A message as received, leased to the receiver until acknowledged or released.
 *
 * @param id the service's message id
 * @param receipt the handle of this delivery, needed to ack it or extend its lease
 * @param body the message body
 * @param receiveCount how many times the message has been delivered, this delivery included
 */
public record ReceivedMessage(String id, String receipt, byte[] body, int receiveCount) {}
