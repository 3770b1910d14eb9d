package dev.shoal.azure.servicebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationAsyncClient;
import com.azure.messaging.servicebus.administration.models.QueueProperties;
import com.azure.messaging.servicebus.models.SubQueue;
import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the Service Bus transport does beyond the shared contract: sizes, locks, labels, reply queues. */
@Timeout(120)
class ServiceBusTransportOnFakeTest {
  private static FakeServiceBus bus;
  private static ServiceBusAdministrationAsyncClient admin;
  private ServiceBusTransport transport;
  private final List<String> queues = new ArrayList<>();

  @BeforeAll
  static void startFake() {
    bus = FakeServiceBus.start();
    admin = ServiceBusClients.administration(bus.connectionString(), null, null, bus.adminEndpoint());
  }

  @AfterAll
  static void stopFake() {
    bus.close();
  }

  @BeforeEach
  void openTransport() {
    transport = ServiceBusClients.transport(bus.transportSettings());
  }

  @AfterEach
  void closeTransport() {
    queues.forEach(address -> transport.deleteQueue(address).exceptionally(error -> null).join());
    transport.close();
  }

  private String queue(QueueOptions options) {
    String address = transport.createQueue("t-" + UUID.randomUUID().toString().substring(0, 8), options).join();
    queues.add(address);
    return address;
  }

  private static String name(String address) {
    return address.substring(address.lastIndexOf('/') + 1);
  }

  private static byte[] filled(int size, char c) {
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) c);
    return body;
  }

  @Test
  void bodiesOfTheLargestSizeGoOneBatchEachAndArriveWhole() {
    String queue = queue(QueueOptions.defaults());
    int max = transport.limits().maxMessageBytes();

    transport.send(queue, List.of(filled(max, 'a'), filled(max, 'b'), filled(10, 'c'))).join();
    List<ReceivedMessage> received = new ArrayList<>();
    for (int polls = 0; polls < 10 && received.size() < 3; polls++) {
      received.addAll(transport.receive(queue, 10, Duration.ofSeconds(2)).join());
    }

    assertThat(max).isEqualTo(257_024);
    assertThat(received).extracting(m -> m.body().length).containsExactlyInAnyOrder(max, max, 10);
  }

  @Test
  void aPremiumNamespaceTakesLargerMessagesBySetting() {
    try (FakeServiceBus premium = FakeServiceBus.start(1024 * 1024);
        Transport large = new ServiceBusTransportProvider().create(premium.transportSettings())) {
      String queue = large.createQueue("large", QueueOptions.defaults()).join();

      large.send(queue, List.of(filled(700 * 1024, 'p'))).join();

      assertThat(large.limits().maxMessageBytes()).isEqualTo(ServiceBusTransport.bodyLimit(1024 * 1024));
      assertThat(large.receive(queue, 1, Duration.ofSeconds(5)).join()).singleElement()
          .satisfies(m -> assertThat(m.body()).hasSize(700 * 1024));
    }
  }

  @Test
  void aLeaseLongerThanTheLockIsKeptByRenewingAndEndsOneLockLaterAtMost() {
    String queue = queue(QueueOptions.defaults().withVisibilityTimeout(ServiceBusTransport.MIN_LOCK));
    transport.send(queue, List.of("held".getBytes(StandardCharsets.UTF_8))).join();
    List<ReceivedMessage> held = transport.receive(queue, 1, Duration.ofSeconds(5)).join();
    Instant leased = Instant.now();
    Duration lease = ServiceBusTransport.MIN_LOCK.multipliedBy(2);

    transport.extendLease(queue, held, lease).join();
    // A lock of 5 s not renewed would give the message back within this poll.
    List<ReceivedMessage> whileLeased = transport.receive(queue, 1, lease.minusSeconds(2)).join();
    List<ReceivedMessage> after = transport.receive(queue, 1, Duration.ofSeconds(30)).join();
    Duration back = Duration.between(leased, Instant.now());

    assertThat(whileLeased).isEmpty();
    assertThat(after).singleElement().satisfies(m -> assertThat(m.receiveCount()).isEqualTo(2));
    assertThat(back).isGreaterThanOrEqualTo(lease).isLessThan(lease.plus(ServiceBusTransport.MIN_LOCK).plusSeconds(3));
  }

  @Test
  void queueLocksAreCutToWhatServiceBusGrants() {
    String brief = queue(QueueOptions.defaults().withVisibilityTimeout(Duration.ofSeconds(1)));
    String lengthy = queue(QueueOptions.defaults().withVisibilityTimeout(Duration.ofHours(1)));

    assertThat(admin.getQueue(name(brief)).block().getLockDuration()).isEqualTo(ServiceBusTransport.MIN_LOCK);
    assertThat(admin.getQueue(name(lengthy)).block().getLockDuration()).isEqualTo(ServiceBusTransport.MAX_LOCK);
  }

  @Test
  void aQueueLabelledToExpireIsDeletedWhenIdleThatLong() {
    String reply = queue(QueueOptions.defaults().withTags(Map.of(ServiceBusTransport.EXPIRES_TAG,
        Instant.now().plus(Duration.ofDays(1)).toString())));
    String tasks = queue(QueueOptions.defaults().withMaxReceiveCount(4));

    QueueProperties replyQueue = admin.getQueue(name(reply)).block();
    QueueProperties taskQueue = admin.getQueue(name(tasks)).block();

    assertThat(replyQueue.getAutoDeleteOnIdle()).isBetween(Duration.ofHours(23), Duration.ofDays(1));
    assertThat(taskQueue.getAutoDeleteOnIdle()).isGreaterThan(Duration.ofDays(10_000));
    assertThat(taskQueue.getMaxDeliveryCount()).isEqualTo(4);
    assertThat(taskQueue.isDeadLetteringOnMessageExpiration()).isTrue();
  }

  @Test
  void deadLetteringPartOfABundleKeepsTheWholeOriginalAndSaysSo() {
    String queue = queue(QueueOptions.defaults().withMaxReceiveCount(3));
    transport.send(queue, List.of("[good, bad]".getBytes(StandardCharsets.UTF_8))).join();
    ReceivedMessage message = transport.receive(queue, 1, Duration.ofSeconds(5)).join().get(0);
    ReceivedMessage rejectedOnly = new ReceivedMessage(message.id(), message.receipt(),
        "[bad]".getBytes(StandardCharsets.UTF_8), message.receiveCount());

    transport.deadLetter(queue, rejectedOnly, "1 of 2 envelopes rejected: [1] unknown app").join();

    try (ServiceBusReceiverClient dead = new ServiceBusClientBuilder().connectionString(bus.connectionString())
        .receiver().queueName(name(queue)).subQueue(SubQueue.DEAD_LETTER_QUEUE).buildClient()) {
      ServiceBusReceivedMessage moved = dead.receiveMessages(1, Duration.ofSeconds(5)).iterator().next();
      assertThat(moved.getBody().toString()).isEqualTo("[good, bad]");
      assertThat(moved.getDeadLetterReason()).isEqualTo("1 of 2 envelopes rejected");
      assertThat(moved.getDeadLetterErrorDescription())
          .isEqualTo("part of this message: 1 of 2 envelopes rejected: [1] unknown app");
    }
    assertThat(transport.deadLetterCount(queue).join()).isEqualTo(1);
  }

  @Test
  void onlyTheLocksATransportHoldsCountAsInFlight() {
    String queue = queue(QueueOptions.defaults());
    transport.send(queue, List.of("a".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8))).join();
    assertThat(transport.receive(queue, 1, Duration.ofSeconds(5)).join()).hasSize(1);

    try (ServiceBusTransport dispatcher = ServiceBusClients.transport(bus.transportSettings())) {
      assertThat(dispatcher.depth(queue).join()).isEqualTo(new QueueDepth(2, 0));
    }
    assertThat(transport.depth(queue).join()).isEqualTo(new QueueDepth(1, 1));
  }

  @Test
  void receivingFromADeletedQueueFailsWithoutRetry() {
    String queue = queue(QueueOptions.defaults());
    transport.receive(queue, 1, Duration.ofMillis(1)).join();
    transport.deleteQueue(queue).join();
    queues.remove(queue);

    assertThatThrownBy(() -> transport.receive(queue, 1, Duration.ofSeconds(5)).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.retryable())
            .as("retryable: %s", e).isFalse());
  }

  @Test
  void anAddressInAnotherNamespaceIsRefused() {
    assertThatThrownBy(() -> transport.send("sb://elsewhere.servicebus.windows.net/q",
        List.of(new byte[1])).join())
        .cause().isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.retryable()).isFalse());
  }

  @Test
  void aDeadLetterQueueIsFoundByItsShoalNameAndTakesNoSends() {
    String queue = queue(QueueOptions.defaults().withMaxReceiveCount(2));
    String deadLetters = transport.queueAddress(QueueOptions.deadLetterName(name(queue))).join();

    assertThat(deadLetters).isEqualTo(queue + "/$deadletterqueue");
    assertThatThrownBy(() -> transport.send(deadLetters, List.of(new byte[1])).join())
        .cause().isInstanceOf(TransportException.class);
    assertThatThrownBy(() -> transport.queueAddress("no-such-queue-dlq").join())
        .cause().isInstanceOf(TransportException.class);
  }

  @Test
  void theProviderIsFoundByName() {
    assertThat(dev.shoal.spi.TransportProvider.named("servicebus")).isInstanceOf(ServiceBusTransportProvider.class);
  }
}
