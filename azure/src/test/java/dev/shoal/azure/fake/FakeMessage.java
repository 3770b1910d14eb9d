package dev.shoal.azure.fake;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.DroppingWritableBuffer;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.message.Message;

/**
 * One message as the fake namespace holds it: the AMQP encoding the client sent, untouched, plus
 * what the broker adds (sequence number, enqueue time, deliveries so far, dead-letter properties).
 * Immutable; a delivery re-encodes it with the broker's header and annotations.
 *
 * @param encoded the message's sections as the sender encoded them
 * @param sequenceNumber the queue's sequence number, from 1
 * @param enqueuedAt when the queue accepted it
 * @param deliveries how many times it has been delivered under a lock (the next delivery is {@code deliveries + 1})
 * @param brokerProperties application properties the broker adds (dead-letter reason and description)
 * @param deadLetterSource the queue it was dead-lettered from, or null
 */
record FakeMessage(byte[] encoded, long sequenceNumber, Instant enqueuedAt, int deliveries,
    Map<String, Object> brokerProperties, String deadLetterSource) {

  /** The message format of a batch: its body is one Data section per encoded message. */
  static final int BATCH_FORMAT = 0x80013700;
  static final Symbol SEQUENCE_NUMBER = Symbol.valueOf("x-opt-sequence-number");
  static final Symbol ENQUEUED_TIME = Symbol.valueOf("x-opt-enqueued-time");
  static final Symbol LOCKED_UNTIL = Symbol.valueOf("x-opt-locked-until");
  static final Symbol DEAD_LETTER_SOURCE = Symbol.valueOf("x-opt-deadletter-source");

  FakeMessage {
    brokerProperties = Map.copyOf(brokerProperties);
  }

  static FakeMessage sent(byte[] encoded, long sequenceNumber, Instant enqueuedAt) {
    return new FakeMessage(encoded, sequenceNumber, enqueuedAt, 0, Map.of(), null);
  }

  FakeMessage delivered() {
    return new FakeMessage(encoded, sequenceNumber, enqueuedAt, deliveries + 1, brokerProperties, deadLetterSource);
  }

  /** The message as it lands in a dead-letter queue: Service Bus records why as application properties. */
  FakeMessage deadLettered(String source, long newSequenceNumber, String reason, String description) {
    Map<String, Object> properties = new HashMap<>(brokerProperties);
    if (reason != null) {
      properties.put("DeadLetterReason", reason);
    }
    if (description != null) {
      properties.put("DeadLetterErrorDescription", description);
    }
    return new FakeMessage(encoded, newSequenceNumber, enqueuedAt, deliveries, properties, source);
  }

  /**
   * The transfer payload of this message locked until {@code lockedUntil} (null for a peek). The
   * AMQP header's delivery-count counts earlier deliveries, as the service sends it (the first
   * delivery carries 0; .NET adds one for its DeliveryCount, the Java SDK does not).
   */
  byte[] encodeForDelivery(Instant lockedUntil) {
    Message message = decode(encoded);
    Header header = message.getHeader() == null ? new Header() : message.getHeader();
    header.setDeliveryCount(UnsignedInteger.valueOf(Math.max(0, deliveries - 1)));
    message.setHeader(header);
    Map<Symbol, Object> annotations = new LinkedHashMap<>();
    if (message.getMessageAnnotations() != null && message.getMessageAnnotations().getValue() != null) {
      annotations.putAll(message.getMessageAnnotations().getValue());
    }
    annotations.put(SEQUENCE_NUMBER, sequenceNumber);
    annotations.put(ENQUEUED_TIME, Date.from(enqueuedAt));
    if (lockedUntil != null) {
      annotations.put(LOCKED_UNTIL, Date.from(lockedUntil));
    }
    if (deadLetterSource != null) {
      annotations.put(DEAD_LETTER_SOURCE, deadLetterSource);
    }
    message.setMessageAnnotations(new MessageAnnotations(annotations));
    if (!brokerProperties.isEmpty()) {
      Map<String, Object> properties = new LinkedHashMap<>();
      if (message.getApplicationProperties() != null && message.getApplicationProperties().getValue() != null) {
        properties.putAll(message.getApplicationProperties().getValue());
      }
      properties.putAll(brokerProperties);
      message.setApplicationProperties(new ApplicationProperties(properties));
    }
    return encode(message);
  }

  static Message decode(byte[] bytes) {
    Message message = Proton.message();
    message.decode(bytes, 0, bytes.length);
    return message;
  }

  static byte[] encode(Message message) {
    DroppingWritableBuffer measure = new DroppingWritableBuffer();
    message.encode(measure);
    // proton's map encoding asks for room beyond what it writes: leave some, and grow if still short
    int size = measure.position() + 1024;
    while (true) {
      byte[] buffer = new byte[size];
      try {
        int length = message.encode(buffer, 0, size);
        return Arrays.copyOf(buffer, length);
      } catch (BufferOverflowException tooSmall) {
        size *= 2;
      }
    }
  }

  /**
   * The messages inside a batch: the batch envelope's Data sections each hold one encoded message
   * (proton's own decoder keeps only the last body section, so the sections are read one by one).
   */
  static List<byte[]> unbatch(byte[] batch) {
    DecoderImpl decoder = new DecoderImpl();
    EncoderImpl encoder = new EncoderImpl(decoder);
    AMQPDefinedTypes.registerAllTypes(decoder, encoder);
    ByteBuffer buffer = ByteBuffer.wrap(batch);
    decoder.setByteBuffer(buffer);
    List<byte[]> messages = new ArrayList<>();
    while (buffer.hasRemaining()) {
      Object section = decoder.readObject();
      if (section instanceof Data data) {
        Binary value = data.getValue();
        byte[] inner = new byte[value.getLength()];
        System.arraycopy(value.getArray(), value.getArrayOffset(), inner, 0, value.getLength());
        messages.add(inner);
      }
    }
    return messages;
  }

  /**
   * A lock token as a delivery tag: the service writes GUIDs in .NET's byte order (the first three
   * fields little-endian), which the SDK reverses when it reads the tag.
   */
  static byte[] deliveryTag(UUID lockToken) {
    ByteBuffer big = ByteBuffer.allocate(16);
    big.putLong(lockToken.getMostSignificantBits()).putLong(lockToken.getLeastSignificantBits());
    byte[] b = big.array();
    return new byte[] {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
        b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]};
  }
}
