package dev.shoal.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Transport} must do, run against each implementation (in memory, SQS on an
 * embedded server, Service Bus when a namespace is given). Leases are short (1 s) so that
 * redelivery is observable quickly.
 */
public abstract class TransportContract {
  protected static final Duration LEASE = Duration.ofSeconds(1);
  private static final Duration NO_WAIT = Duration.ZERO;

  protected Transport transport;
  private final List<String> created = new ArrayList<>();

  /** A fresh transport for one test; it is closed after the test. */
  protected abstract Transport newTransport();

  @BeforeEach
  void openTransport() {
    transport = newTransport();
  }

  @AfterEach
  void closeTransport() {
    for (String address : created) {
      try {
        transport.deleteQueue(address).get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort: the test's queues have unique names
      }
    }
    transport.close();
  }

  protected String newQueue(int maxReceiveCount) {
    String name = "contract-" + UUID.randomUUID().toString().substring(0, 8);
    String address = transport.createQueue(name, QueueOptions.defaults()
        .withVisibilityTimeout(LEASE).withMaxReceiveCount(maxReceiveCount)).join();
    created.add(address);
    if (maxReceiveCount > 0) {
      created.add(transport.queueAddress(QueueOptions.deadLetterName(name)).join());
    }
    return address;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(ReceivedMessage message) {
    return new String(message.body(), StandardCharsets.UTF_8);
  }

  /** Receives until {@code count} messages arrived or a receive came back empty after waiting. */
  private List<ReceivedMessage> receiveAll(String queue, int count, Duration wait) {
    List<ReceivedMessage> all = new ArrayList<>();
    while (all.size() < count) {
      List<ReceivedMessage> batch = transport.receive(queue, 10, wait).join();
      if (batch.isEmpty()) {
        break;
      }
      all.addAll(batch);
    }
    return all;
  }

  @Test
  void sentMessageIsReceivedWithItsBodyOnFirstDelivery() {
    String queue = newQueue(0);
    transport.send(queue, List.of(bytes("{\"hello\":\"wörld\"}"))).join();

    List<ReceivedMessage> received = transport.receive(queue, 10, Duration.ofSeconds(5)).join();

    assertThat(received).hasSize(1);
    assertThat(text(received.get(0))).isEqualTo("{\"hello\":\"wörld\"}");
    assertThat(received.get(0).receiveCount()).isEqualTo(1);
  }

  @Test
  void moreMessagesThanOneBatchAreAllDeliveredOnce() {
    String queue = newQueue(0);
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      bodies.add(bytes("m" + i));
    }
    transport.send(queue, bodies).join();

    List<ReceivedMessage> received = receiveAll(queue, 25, Duration.ofSeconds(2));
    transport.ack(queue, received).join();

    Set<String> texts = new HashSet<>();
    received.forEach(m -> texts.add(text(m)));
    assertThat(received).hasSize(25);
    assertThat(texts).hasSize(25).contains("m0", "m24");
    assertThat(transport.depth(queue).join().total()).isZero();
  }

  @Test
  void acknowledgedMessageIsNotDeliveredAgain() {
    String queue = newQueue(0);
    transport.send(queue, List.of(bytes("once"))).join();
    List<ReceivedMessage> first = transport.receive(queue, 10, Duration.ofSeconds(5)).join();
    transport.ack(queue, first).join();

    // Wait past the lease: an unacknowledged message would be back by now.
    List<ReceivedMessage> again = transport.receive(queue, 10, LEASE.multipliedBy(3)).join();

    assertThat(first).hasSize(1);
    assertThat(again).isEmpty();
  }

  /**
   * Whether the service reports how often a message was delivered; an emulator that does not is
   * still checked on everything else, and the skipped case says why.
   */
  protected boolean countsDeliveries() {
    return true;
  }

  @Test
  void unacknowledgedMessageComesBackAfterItsLeaseWithAHigherReceiveCount() {
    org.junit.jupiter.api.Assumptions.assumeTrue(countsDeliveries(),
        "this service does not count deliveries (ApproximateReceiveCount)");
    String queue = newQueue(0);
    transport.send(queue, List.of(bytes("again"))).join();
    List<ReceivedMessage> first = transport.receive(queue, 10, Duration.ofSeconds(5)).join();

    List<ReceivedMessage> second = transport.receive(queue, 10, Duration.ofSeconds(10)).join();

    assertThat(first).hasSize(1);
    assertThat(second).hasSize(1);
    assertThat(text(second.get(0))).isEqualTo("again");
    assertThat(second.get(0).receiveCount()).isEqualTo(2);
  }

  @Test
  void extendedLeaseKeepsMessageHiddenAndReleaseShowsItAtOnce() {
    String queue = newQueue(0);
    transport.send(queue, List.of(bytes("held"))).join();
    List<ReceivedMessage> held = transport.receive(queue, 10, Duration.ofSeconds(5)).join();
    transport.extendLease(queue, held, Duration.ofSeconds(30)).join();

    List<ReceivedMessage> whileHeld = transport.receive(queue, 10, LEASE.multipliedBy(3)).join();
    transport.extendLease(queue, held, Duration.ZERO).join();
    List<ReceivedMessage> afterRelease = transport.receive(queue, 10, Duration.ofSeconds(5)).join();

    assertThat(whileHeld).isEmpty();
    assertThat(afterRelease).hasSize(1);
    assertThat(text(afterRelease.get(0))).isEqualTo("held");
  }

  @Test
  void deadLetteredMessageMovesToTheDeadLetterQueue() {
    String queue = newQueue(5);
    String deadLetters = created.get(created.size() - 1);
    transport.send(queue, List.of(bytes("poison"))).join();
    ReceivedMessage message = transport.receive(queue, 10, Duration.ofSeconds(5)).join().get(0);

    transport.deadLetter(queue, message, "malformed: test").join();

    List<ReceivedMessage> moved = transport.receive(deadLetters, 10, Duration.ofSeconds(5)).join();
    assertThat(moved).hasSize(1);
    assertThat(text(moved.get(0))).isEqualTo("poison");
    assertThat(moved.get(0).deadLetterReason()).isEqualTo("malformed: test");
    assertThat(transport.receive(queue, 10, LEASE.multipliedBy(3)).join()).isEmpty();
  }

  @Test
  void theDeadLetterAddressIsTheDeadLetterQueueOfTheQueue() {
    String queue = newQueue(5);
    String deadLetters = created.get(created.size() - 1);

    assertThat(transport.deadLetterAddress(queue).join()).isEqualTo(deadLetters);
  }

  @Test
  void aDeadLetterCanBeReleasedThenSentBackToItsQueueAndAcked() {
    String queue = newQueue(5);
    String deadLetters = transport.deadLetterAddress(queue).join();
    transport.send(queue, List.of(bytes("second chance"))).join();
    transport.deadLetter(queue, transport.receive(queue, 10, Duration.ofSeconds(5)).join().get(0), "test: once").join();

    // Looked at, then left where it is: a listing must not consume it.
    List<ReceivedMessage> looked = transport.receive(deadLetters, 10, Duration.ofSeconds(5)).join();
    transport.extendLease(deadLetters, looked, Duration.ZERO).join();
    List<ReceivedMessage> again = transport.receive(deadLetters, 10, Duration.ofSeconds(5)).join();
    assertThat(again).hasSize(1);
    assertThat(again.get(0).id()).isEqualTo(looked.get(0).id());
    assertThat(again.get(0).deadLetterReason()).isEqualTo("test: once");

    transport.send(queue, List.of(again.get(0).body())).join();
    transport.ack(deadLetters, again).join();

    List<ReceivedMessage> back = transport.receive(queue, 10, Duration.ofSeconds(5)).join();
    assertThat(back).hasSize(1);
    assertThat(text(back.get(0))).isEqualTo("second chance");
    assertThat(back.get(0).deadLetterReason()).isNull();
    assertThat(transport.receive(deadLetters, 10, LEASE.multipliedBy(2)).join()).isEmpty();
  }

  @Test
  void aPeekShowsTheMessagesWithoutTakingThem() {
    String queue = newQueue(5);
    String deadLetters = transport.deadLetterAddress(queue).join();
    transport.send(queue, List.of(bytes("looked at"))).join();
    transport.deadLetter(queue, transport.receive(queue, 10, Duration.ofSeconds(5)).join().get(0), "test: peek")
        .join();
    List<ReceivedMessage> peeked;
    try {
      peeked = transport.peek(deadLetters, 10).join();
    } catch (CompletionException e) {
      org.junit.jupiter.api.Assumptions.assumeFalse(e.getCause() instanceof TransportException t && !t.retryable(),
          () -> "this transport cannot peek: " + e.getCause().getMessage());
      throw e;
    }

    assertThat(peeked).hasSize(1);
    assertThat(text(peeked.get(0))).isEqualTo("looked at");
    assertThat(peeked.get(0).deadLetterReason()).isEqualTo("test: peek");
    assertThat(peeked.get(0).receipt()).isNull();
    // Still there, and not leased: the next receive gets it at once.
    List<ReceivedMessage> received = transport.receive(deadLetters, 10, Duration.ofSeconds(5)).join();
    assertThat(received).hasSize(1);
    assertThat(received.get(0).id()).isEqualTo(peeked.get(0).id());
  }

  @Test
  void queuesAreListedByNamePrefix() {
    String prefix = "contract-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> mine = new ArrayList<>();
    for (String suffix : List.of("-a", "-b")) {
      String address = transport.createQueue(prefix + suffix, QueueOptions.defaults()).join();
      created.add(address);
      mine.add(address);
    }
    String other = newQueue(0);

    List<String> listed = transport.listQueues(prefix).join();

    assertThat(listed).containsExactlyInAnyOrderElementsOf(mine).doesNotContain(other);
  }

  @Test
  void messageReceivedTooOftenIsRedrivenToTheDeadLetterQueue() {
    String queue = newQueue(2);
    String deadLetters = created.get(created.size() - 1);
    transport.send(queue, List.of(bytes("crashes-workers"))).join();
    for (int delivery = 1; delivery <= 2; delivery++) {
      List<ReceivedMessage> received = transport.receive(queue, 10, Duration.ofSeconds(5)).join();
      assertThat(received).as("delivery %d", delivery).hasSize(1);
      transport.extendLease(queue, received, Duration.ZERO).join();
    }

    List<ReceivedMessage> third = transport.receive(queue, 10, Duration.ofSeconds(2)).join();
    List<ReceivedMessage> dead = transport.receive(deadLetters, 10, Duration.ofSeconds(5)).join();

    assertThat(third).isEmpty();
    assertThat(dead).hasSize(1);
    assertThat(text(dead.get(0))).isEqualTo("crashes-workers");
  }

  @Test
  void depthCountsVisibleAndLeasedMessages() {
    String queue = newQueue(0);
    transport.send(queue, List.of(bytes("a"), bytes("b"), bytes("c"))).join();
    List<ReceivedMessage> leased = transport.receive(queue, 1, Duration.ofSeconds(5)).join();
    transport.extendLease(queue, leased, Duration.ofSeconds(30)).join();

    QueueDepth depth = transport.depth(queue).join();

    assertThat(leased).hasSize(1);
    assertThat(depth.visible()).isEqualTo(2);
    assertThat(depth.inFlight()).isEqualTo(1);
  }

  @Test
  void longPollReturnsAMessageSentWhileItWaits() throws Exception {
    String queue = newQueue(0);
    CompletableFuture<List<ReceivedMessage>> waiting = transport.receive(queue, 10, Duration.ofSeconds(15));
    // With nothing to return, the poll must still be waiting 300 ms on: checked, not slept through (a
    // transport that ignores the wait fails here). Whether the send then reaches the queue after the
    // poll (the usual case, the one this test is for) or before it, a working transport returns the
    // message: the outcome does not hang on the timing.
    assertThat(catchThrowable(() -> waiting.get(300, TimeUnit.MILLISECONDS)))
        .as("the poll of an empty queue is still waiting").isInstanceOf(TimeoutException.class);
    transport.send(queue, List.of(bytes("late"))).join();

    List<ReceivedMessage> received = waiting.get(20, TimeUnit.SECONDS);

    assertThat(received).extracting(TransportContract::text).containsExactly("late");
  }

  @Test
  void emptyQueueLongPollReturnsNothing() {
    String queue = newQueue(0);
    assertThat(transport.receive(queue, 10, Duration.ofSeconds(1)).join()).isEmpty();
  }

  @Test
  void oversizedMessageIsRefusedWithoutRetry() {
    String queue = newQueue(0);
    byte[] big = new byte[transport.limits().maxMessageBytes() + 1];
    java.util.Arrays.fill(big, (byte) 'x');

    assertThatThrownBy(() -> transport.send(queue, List.of(big)).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(TransportException.class)
        .hasMessageContaining("limit")
        .matches(e -> !((TransportException) e).retryable(), "not retryable");
  }

  @Test
  void aBatchWithOneOversizedMessageSendsNothing() {
    String queue = newQueue(0);
    byte[] big = new byte[transport.limits().maxMessageBytes() + 1];
    java.util.Arrays.fill(big, (byte) 'x');

    assertThatThrownBy(() -> transport.send(queue, List.of(bytes("before"), big, bytes("after"))).join())
        .cause().isInstanceOf(TransportException.class);
    assertThat(transport.receive(queue, 10, Duration.ZERO).join()).isEmpty();
  }

  @Test
  void aSendOfMoreBodiesThanOneRequestTakesDeliversThemAll() {
    String queue = newQueue(0);
    int count = transport.limits().maxSendBatch() * 2 + 1;
    List<byte[]> bodies = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      bodies.add(bytes("m" + i));
    }
    transport.send(queue, bodies).join();

    java.util.Set<String> received = new java.util.HashSet<>();
    // Each receive returns what the service hands out at once; the queue holds exactly `count`.
    for (int polls = 0; received.size() < count && polls < count * 4; polls++) {
      transport.receive(queue, transport.limits().maxReceiveBatch(), Duration.ofSeconds(1)).join()
          .forEach(message -> received.add(text(message)));
    }
    assertThat(received).hasSize(count);
  }

  @Test
  void aReceiveNeverReturnsMoreThanTheDeclaredBatch() {
    String queue = newQueue(0);
    int limit = transport.limits().maxReceiveBatch();
    List<byte[]> bodies = new java.util.ArrayList<>();
    for (int i = 0; i < limit + 5; i++) {
      bodies.add(bytes("m" + i));
    }
    transport.send(queue, bodies).join();

    assertThat(transport.receive(queue, limit + 100, Duration.ofSeconds(1)).join()).hasSizeBetween(1, limit);
  }

  @Test
  void aQueueIsResolvedByNameOrByAddress() {
    String name = "contract-" + UUID.randomUUID().toString().substring(0, 8);
    String address = transport.createQueue(name, QueueOptions.defaults()).join();
    created.add(address);

    assertThat(transport.isAddress(address)).isTrue();
    assertThat(transport.isAddress(name)).isFalse();
    assertThat(transport.resolveQueue(name).join()).isEqualTo(address);
    assertThat(transport.resolveQueue(address).join()).isEqualTo(address);
    assertThat(transport.openQueue(address, QueueOptions.defaults()).join()).isEqualTo(address);
    assertThat(transport.openQueue(name, QueueOptions.defaults()).join()).isEqualTo(address);
  }

  @Test
  void missingQueueFailsWithATransportException() {
    String queue = newQueue(0);
    transport.deleteQueue(queue).join();

    assertThatThrownBy(() -> transport.send(queue, List.of(bytes("lost"))).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(TransportException.class);
  }

  @Test
  void labelsGivenAtCreationAndAddedLaterAreReadBack() {
    String labelled = transport.createQueue("contract-" + UUID.randomUUID().toString().substring(0, 8),
        QueueOptions.defaults().withTags(Map.of("shoal:role", "tasks"))).join();
    created.add(labelled);

    transport.tagQueue(labelled, Map.of(QueueDepth.TASKS_PER_MESSAGE_TAG, "91.5")).join();
    transport.tagQueue(labelled, Map.of(QueueDepth.TASKS_PER_MESSAGE_TAG, "12.0")).join();

    assertThat(transport.queueTags(labelled).join())
        .containsEntry("shoal:role", "tasks")
        .containsEntry(QueueDepth.TASKS_PER_MESSAGE_TAG, "12.0");
  }

  @Test
  void creatingAQueueTwiceGivesTheSameAddress() {
    String name = "contract-" + UUID.randomUUID().toString().substring(0, 8);
    QueueOptions options = QueueOptions.defaults().withVisibilityTimeout(LEASE);
    String first = transport.createQueue(name, options).join();
    created.add(first);
    String second = transport.createQueue(name, options).join();

    assertThat(second).isEqualTo(first);
    assertThat(transport.queueAddress(name).join()).isEqualTo(first);
  }
}
