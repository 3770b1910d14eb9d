package dev.shoal.azure.fake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One queue of the fake namespace: its description (what the administration API reads and
 * writes), its messages under peek-lock, and its dead-letter sub-queue ({@code <name>/$deadletterqueue}).
 * Confined to the fake's event loop.
 */
final class FakeQueue {
  /** The longest lock Service Bus grants. */
  static final Duration MAX_LOCK_DURATION = Duration.ofMinutes(5);
  static final String DEAD_LETTER_SUFFIX = "/$deadletterqueue";

  /**
   * What a queue description sets; the defaults are the service's.
   *
   * @param userMetadata free text (at most 1,024 characters), or null
   */
  record Settings(Duration lockDuration, int maxDeliveryCount, Duration defaultMessageTimeToLive,
      boolean deadLetteringOnMessageExpiration, Duration autoDeleteOnIdle, boolean requiresSession,
      boolean enablePartitioning, long maxSizeInMegabytes, String userMetadata) {

    /** A TimeSpan.MaxValue, which the service shows for "never". */
    static final Duration FOREVER = Duration.ofSeconds(922_337_203_685L, 477_580_700);

    Settings {
      Objects.requireNonNull(lockDuration, "lockDuration");
      Objects.requireNonNull(defaultMessageTimeToLive, "defaultMessageTimeToLive");
      Objects.requireNonNull(autoDeleteOnIdle, "autoDeleteOnIdle");
    }

    static Settings defaults() {
      return new Settings(Duration.ofMinutes(1), 10, FOREVER, false, FOREVER, false, false, 1024, null);
    }

    /** Why the service would refuse these settings, or null. */
    String problem() {
      if (lockDuration.isNegative() || lockDuration.isZero() || lockDuration.compareTo(MAX_LOCK_DURATION) > 0) {
        return "LockDuration must be positive and at most 5 minutes: " + lockDuration;
      }
      if (maxDeliveryCount < 1) {
        return "MaxDeliveryCount must be at least 1: " + maxDeliveryCount;
      }
      if (autoDeleteOnIdle.compareTo(Duration.ofMinutes(5)) < 0) {
        return "AutoDeleteOnIdle must be at least 5 minutes: " + autoDeleteOnIdle;
      }
      if (userMetadata != null && userMetadata.length() > 1024) {
        return "UserMetadata is longer than 1024 characters";
      }
      if (requiresSession) {
        return "the fake does not model sessions";
      }
      if (enablePartitioning) {
        return "the fake does not model partitioning";
      }
      return null;
    }
  }

  private final String name;
  private final Instant createdAt;
  private final FakeMessageStore active;
  private final FakeMessageStore deadLetters;
  private final Clock clock;
  private Settings settings;
  private Instant updatedAt;
  private Instant accessedAt;
  private long nextSequenceNumber = 1;

  FakeQueue(String name, Settings settings, Clock clock, ScheduledExecutorService loop) {
    this.name = name;
    this.settings = settings;
    this.clock = clock;
    this.createdAt = clock.instant();
    this.updatedAt = createdAt;
    this.accessedAt = createdAt;
    this.active = new FakeMessageStore(name, this, this::deadLetter, clock, loop);
    this.deadLetters = new FakeMessageStore(name + DEAD_LETTER_SUFFIX, this, null, clock, loop);
  }

  String name() {
    return name;
  }

  Settings settings() {
    return settings;
  }

  void update(Settings settings) {
    this.settings = settings;
    this.updatedAt = clock.instant();
  }

  Instant createdAt() {
    return createdAt;
  }

  Instant updatedAt() {
    return updatedAt;
  }

  Instant accessedAt() {
    return accessedAt;
  }

  FakeMessageStore active() {
    return active;
  }

  FakeMessageStore deadLetters() {
    return deadLetters;
  }

  /** Enqueues one message as a sender encoded it. */
  void accept(byte[] encoded) {
    accessedAt = clock.instant();
    active.add(FakeMessage.sent(encoded, nextSequenceNumber++, accessedAt));
  }

  private void deadLetter(FakeMessage message, String reason, String description) {
    deadLetters.add(message.deadLettered(name, nextSequenceNumber++, reason, description));
  }

  void delete() {
    active.close();
    deadLetters.close();
  }
}
