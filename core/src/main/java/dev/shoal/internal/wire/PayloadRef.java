package dev.shoal.internal.wire;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A claim check: where a payload too large for a queue message was put (a
 * {@link dev.shoal.spi.PayloadStore} reference), how many bytes it holds and their SHA-256. It
 * travels in an envelope in place of the payload ({@code argsRef} for a task's arguments,
 * {@code valueRef} for a result's value), so an envelope's signature covers it, digest included:
 * a reference to other bytes than those signed for fails on its digest.
 *
 * @param uri where the payload is, in the URI form of its store
 * @param size its length in bytes
 * @param sha256 its SHA-256, as 64 lower-case hex digits
 */
public record PayloadRef(String uri, long size, String sha256) {
  /** The largest payload a reference may name: one Java array, as a payload is read whole. */
  public static final long MAX_SIZE = Integer.MAX_VALUE - 8;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** The reference to {@code bytes}, stored at {@code location}. */
  public static PayloadRef of(URI location, byte[] bytes) {
    return new PayloadRef(location.toString(), bytes.length, sha256(bytes));
  }

  /** Where the payload is; a reference read from the wire was checked to have a scheme. */
  public URI location() {
    return URI.create(uri);
  }

  /**
   * Why {@code bytes} are not the payload this reference names (its size or digest differs), or
   * null when they are.
   */
  public String mismatch(byte[] bytes) {
    if (bytes.length != size) {
      return "it holds " + bytes.length + " bytes, the reference says " + size;
    }
    String actual = sha256(bytes);
    if (!MessageDigest.isEqual(actual.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        sha256.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
      return "its SHA-256 is " + actual + ", the reference says " + sha256 + " (altered or replaced)";
    }
    return null;
  }

  /** Why this reference cannot be used, or null when it is well formed. */
  String invalidity() {
    if (uri == null || uri.isBlank()) {
      return "has no uri";
    }
    try {
      if (new URI(uri).getScheme() == null) {
        return "has a uri without a scheme";
      }
    } catch (URISyntaxException e) {
      return "has a uri that does not parse: " + e.getMessage();
    }
    if (size < 0 || size > MAX_SIZE) {
      return "has a size out of range: " + size;
    }
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      return "has no valid sha256 (64 lower-case hex digits)";
    }
    return null;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
