package dev.shoal.internal.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Owns the frame of a queue message, {@code {"v":1,"kind":"tasks","tasks":[e1,e2,...]}}, and packs
 * encoded envelopes into as few frames as a message limit allows. Client and worker pack with it
 * alike (tasks one way, results the other), so the frame's size is known in one place.
 */
public final class BundleWriter {
  private final byte[] prefix;
  private final byte[] suffix = "]}".getBytes(StandardCharsets.US_ASCII);
  private final int maxMessageBytes;
  private final int maxEnvelopes;

  private BundleWriter(String kind, int maxMessageBytes, int maxEnvelopes) {
    this.prefix = ("{\"v\":" + WireCodec.VERSION + ",\"kind\":\"" + kind + "\",\"" + kind + "\":[")
        .getBytes(StandardCharsets.US_ASCII);
    if (maxMessageBytes <= prefix.length + suffix.length) {
      throw new IllegalArgumentException("a message limit of " + maxMessageBytes + " bytes leaves no room for an envelope");
    }
    if (maxEnvelopes < 1) {
      throw new IllegalArgumentException("maxEnvelopes must be >= 1: " + maxEnvelopes);
    }
    this.maxMessageBytes = maxMessageBytes;
    this.maxEnvelopes = maxEnvelopes;
  }

  /** Packs task envelopes: at most {@code maxEnvelopes} a message of at most {@code maxMessageBytes}. */
  public static BundleWriter tasks(int maxMessageBytes, int maxEnvelopes) {
    return new BundleWriter(WireCodec.TASKS, maxMessageBytes, maxEnvelopes);
  }

  /** Packs result envelopes into messages of at most {@code maxMessageBytes}. */
  public static BundleWriter results(int maxMessageBytes) {
    return new BundleWriter(WireCodec.RESULTS, maxMessageBytes, Integer.MAX_VALUE);
  }

  /** The largest envelope that fits a message on its own. */
  public int maxEnvelopeBytes() {
    return maxMessageBytes - prefix.length - suffix.length;
  }

  /** One message holding these envelopes, whatever their size (the transport refuses one too large). */
  public byte[] frame(List<byte[]> envelopes) {
    int size = prefix.length + suffix.length + Math.max(0, envelopes.size() - 1);
    for (byte[] envelope : envelopes) {
      size += envelope.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.writeBytes(prefix);
    for (int i = 0; i < envelopes.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(envelopes.get(i));
    }
    out.writeBytes(suffix);
    return out.toByteArray();
  }

  /**
   * Packs items, in order, into as few messages as the limits allow. An item too large for a
   * message of its own still gets one (and the transport refuses it): callers check
   * {@link #maxEnvelopeBytes()} first where they can fail the item on its own.
   *
   * @param envelope an item's encoded envelope
   */
  public <T> List<Bundle<T>> pack(List<T> items, Function<T, byte[]> envelope) {
    List<Bundle<T>> bundles = new ArrayList<>();
    List<T> current = new ArrayList<>();
    List<byte[]> bytes = new ArrayList<>();
    int size = prefix.length + suffix.length;
    for (T item : items) {
      byte[] encoded = envelope.apply(item);
      int separator = current.isEmpty() ? 0 : 1;
      if (!current.isEmpty() && (current.size() >= maxEnvelopes || size + separator + encoded.length > maxMessageBytes)) {
        bundles.add(new Bundle<>(List.copyOf(current), frame(bytes)));
        current.clear();
        bytes.clear();
        size = prefix.length + suffix.length;
        separator = 0;
      }
      current.add(item);
      bytes.add(encoded);
      size += separator + encoded.length;
    }
    if (!current.isEmpty()) {
      bundles.add(new Bundle<>(List.copyOf(current), frame(bytes)));
    }
    return bundles;
  }

  /** Items packed into one message, and that message's body. */
  public record Bundle<T>(List<T> items, byte[] body) {}
}
