package dev.shoal.internal.wire;

import java.util.List;

/**
 * A bundle read from a queue message: the envelopes that passed validation, and those that did
 * not, each with the reason. One bad envelope does not spoil the rest of its bundle.
 */
public record Decoded<T>(List<T> envelopes, List<Rejected> rejected) {
  public Decoded {
    envelopes = List.copyOf(envelopes);
    rejected = List.copyOf(rejected);
  }

  /**
   * An envelope that failed validation, with whatever could still be read of it, so that the
   * sender can be told (when {@code reply} and {@code id} are known).
   *
   * @param index its position in the bundle
   * @param id its task id, or 0 if unreadable
   * @param run its run id, or null
   * @param reply its reply address, or null
   * @param reason why it was rejected
   */
  public record Rejected(int index, long id, String run, String reply, String reason) {}
}
