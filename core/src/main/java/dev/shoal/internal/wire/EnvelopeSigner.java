package dev.shoal.internal.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over a task envelope's canonical encoding without its signature. A worker with a key
 * rejects unsigned and forged envelopes.
 */
public final class EnvelopeSigner {
  /** The environment variable workers and clients read the key from when none is configured. */
  public static final String KEY_ENV = "SHOAL_SIGNING_KEY";

  private static final String ALGORITHM = "HmacSHA256";
  private final SecretKeySpec key;
  private final WireCodec codec;

  public EnvelopeSigner(byte[] key, WireCodec codec) {
    if (key.length < 16) {
      throw new IllegalArgumentException("a signing key needs at least 16 bytes, got " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), ALGORITHM);
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  public static EnvelopeSigner fromSecret(String secret, WireCodec codec) {
    return new EnvelopeSigner(secret.getBytes(StandardCharsets.UTF_8), codec);
  }

  /** Makes a signer once the codec is known. */
  @FunctionalInterface
  public interface Factory {
    EnvelopeSigner create(WireCodec codec);
  }

  public TaskEnvelope sign(TaskEnvelope envelope) {
    return envelope.withSig(mac(envelope));
  }

  public boolean verify(TaskEnvelope envelope) {
    if (envelope.sig() == null) {
      return false;
    }
    byte[] expected = mac(envelope).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, envelope.sig().getBytes(StandardCharsets.US_ASCII));
  }

  private String mac(TaskEnvelope envelope) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return Base64.getEncoder().encodeToString(mac.doFinal(codec.canonicalBytes(envelope.withSig(null))));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has " + ALGORITHM, e);
    }
  }
}
