package dev.shoal.internal.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over an envelope's canonical encoding without its signature: the client signs task
 * envelopes and the worker result envelopes, with one shared key. A reader with the key refuses
 * whatever is unsigned or signed otherwise, so a party without the key can neither run a task nor
 * settle one.
 *
 * <p>A task and a result can never be mistaken for each other: canonical encodings have their
 * fields in alphabetical order, and a task's first field is always {@code app}, a result's always
 * {@code attempt}.
 */
public final class EnvelopeSigner {
  /** The environment variable workers and clients read the key from when none is configured. */
  public static final String KEY_ENV = "SHOAL_SIGNING_KEY";
  /** The shortest key accepted, in bytes. */
  public static final int MIN_KEY_BYTES = 16;

  private static final String ALGORITHM = "HmacSHA256";
  private final SecretKeySpec key;
  private final WireCodec codec;
  // A Mac is not thread-safe, and making one per envelope costs more than the MAC itself.
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  public EnvelopeSigner(byte[] key, WireCodec codec) {
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("a signing key needs at least " + MIN_KEY_BYTES + " bytes, got " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), ALGORITHM);
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  public static EnvelopeSigner fromSecret(String secret, WireCodec codec) {
    return new EnvelopeSigner(secret.getBytes(StandardCharsets.UTF_8), codec);
  }

  // Signing MACs the envelope as its reader will hold it, not as the sender does: a reader gets
  // 1.1 for a BigDecimal 1.10, and a MAC over the sender's form would make that envelope look
  // forged. What a reader verifies was read already, so it is in that form.

  public TaskEnvelope sign(TaskEnvelope envelope) {
    return envelope.withSig(mac(codec.asRead(envelope.withSig(null))));
  }

  public boolean verify(TaskEnvelope envelope) {
    return matches(envelope.sig(), envelope.withSig(null));
  }

  public ResultEnvelope sign(ResultEnvelope envelope) {
    return envelope.withSig(mac(codec.asRead(envelope.withSig(null))));
  }

  public boolean verify(ResultEnvelope envelope) {
    return matches(envelope.sig(), envelope.withSig(null));
  }

  private boolean matches(String sig, Object unsigned) {
    if (sig == null) {
      return false;
    }
    byte[] expected = mac(unsigned).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, sig.getBytes(StandardCharsets.US_ASCII));
  }

  private String mac(Object unsigned) {
    // doFinal resets the Mac for its next use.
    return Base64.getEncoder().encodeToString(macs.get().doFinal(codec.canonicalBytes(unsigned)));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has " + ALGORITHM, e);
    }
  }
}
