package dev.shoal.azure.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.exception.ResourceNotFoundException;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusFailureReason;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import com.azure.messaging.servicebus.administration.models.CreateQueueOptions;
import com.azure.messaging.servicebus.administration.models.QueueRuntimeProperties;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import com.azure.messaging.servicebus.models.SubQueue;
import dev.shoal.testing.Await;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fake as the Service Bus SDK sees it, client by client: what each protocol piece gives back.
 * The transport's own behaviour is checked by the transport contract.
 */
@Timeout(120)
class FakeServiceBusTest {
  private static FakeServiceBus bus;
  private static ServiceBusClientBuilder clients;
  private static ServiceBusAdministrationClient admin;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  static void startFake() {
    bus = FakeServiceBus.start();
    clients = new ServiceBusClientBuilder().connectionString(bus.connectionString());
    admin = admin(bus);
  }

  @AfterAll
  static void stopFake() {
    bus.close();
  }

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable client : opened) {
      client.close();
    }
  }

  /** The administration client, its requests sent to the fake's plain-HTTP endpoint. */
  static ServiceBusAdministrationClient admin(FakeServiceBus bus) {
    URI endpoint = bus.adminEndpoint();
    HttpPipelinePolicy redirect = (context, next) -> {
      java.net.URL url = context.getHttpRequest().getUrl();
      context.getHttpRequest().setUrl(endpoint + url.getPath() + (url.getQuery() == null ? "" : "?" + url.getQuery()));
      return next.process();
    };
    return new ServiceBusAdministrationClientBuilder().connectionString(bus.connectionString()).addPolicy(redirect)
        .buildClient();
  }

  private String queue(CreateQueueOptions options) {
    String name = "fake-" + UUID.randomUUID().toString().substring(0, 8);
    admin.createQueue(name, options);
    return name;
  }

  private ServiceBusSenderClient sender(String queue) {
    ServiceBusSenderClient sender = clients.sender().queueName(queue).buildClient();
    opened.add(sender);
    return sender;
  }

  private ServiceBusReceiverClient receiver(String queue, SubQueue subQueue) {
    ServiceBusReceiverClient receiver = clients.receiver().queueName(queue).subQueue(subQueue)
        .receiveMode(ServiceBusReceiveMode.PEEK_LOCK).disableAutoComplete().maxAutoLockRenewDuration(Duration.ZERO)
        .buildClient();
    opened.add(receiver);
    return receiver;
  }

  private static List<ServiceBusReceivedMessage> receive(ServiceBusReceiverClient receiver, int count) {
    List<ServiceBusReceivedMessage> messages = new ArrayList<>();
    receiver.receiveMessages(count, Duration.ofSeconds(5)).forEach(messages::add);
    return messages;
  }

  private static String text(ServiceBusReceivedMessage message) {
    return message.getBody().toString();
  }

  @Test
  void aBatchArrivesAsItsMessagesInOrderWithTheBrokersAnnotations() {
    String queue = queue(new CreateQueueOptions());
    ServiceBusSenderClient sender = sender(queue);
    ServiceBusMessageBatch batch = sender.createMessageBatch();
    for (String body : List.of("a", "b", "c")) {
      assertThat(batch.tryAddMessage(new ServiceBusMessage(body))).isTrue();
    }
    sender.sendMessages(batch);

    List<ServiceBusReceivedMessage> received = receive(receiver(queue, SubQueue.NONE), 3);

    assertThat(received).extracting(FakeServiceBusTest::text).containsExactly("a", "b", "c");
    assertThat(received).extracting(ServiceBusReceivedMessage::getSequenceNumber).containsExactly(1L, 2L, 3L);
    ServiceBusReceivedMessage first = received.get(0);
    assertThat(first.getDeliveryCount()).as("the header counts earlier deliveries").isZero();
    assertThat(first.getEnqueuedTime()).isNotNull();
    assertThat(first.getLockedUntil()).isAfter(OffsetDateTime.now().plusSeconds(30));
    assertThat(first.getLockToken()).isNotBlank();
  }

  @Test
  void theLinkAdvertisesTheNamespacesMessageSize() {
    String queue = queue(new CreateQueueOptions());
    assertThat(sender(queue).createMessageBatch().getMaxSizeInBytes()).isEqualTo(256 * 1024);

    try (FakeServiceBus premium = FakeServiceBus.start(1024 * 1024);
        ServiceBusSenderClient sender = new ServiceBusClientBuilder().connectionString(premium.connectionString())
            .sender().queueName("big").buildClient()) {
      admin(premium).createQueue("big");
      assertThat(sender.createMessageBatch().getMaxSizeInBytes()).isEqualTo(1024 * 1024);
    }
  }

  @Test
  void aRenewedLockLastsLongerAndTheMessageCompletesWithIt() {
    String queue = queue(new CreateQueueOptions().setLockDuration(Duration.ofSeconds(30)));
    sender(queue).sendMessage(new ServiceBusMessage("held"));
    ServiceBusReceiverClient receiver = receiver(queue, SubQueue.NONE);
    ServiceBusReceivedMessage message = receive(receiver, 1).get(0);

    OffsetDateTime renewed = receiver.renewMessageLock(message);
    receiver.complete(message);

    assertThat(renewed).isAfterOrEqualTo(message.getLockedUntil());
    assertThat(admin.getQueueRuntimeProperties(queue).getActiveMessageCount()).isZero();
  }

  @Test
  void anExpiredLockGivesTheMessageBackWithOneMoreDeliveryAndItsOldLockIsLost() {
    String queue = queue(new CreateQueueOptions().setLockDuration(Duration.ofSeconds(1)));
    sender(queue).sendMessage(new ServiceBusMessage("again"));
    ServiceBusReceiverClient receiver = receiver(queue, SubQueue.NONE);
    ServiceBusReceivedMessage first = receive(receiver, 1).get(0);

    ServiceBusReceivedMessage second = receive(receiver, 1).get(0);

    assertThat(text(second)).isEqualTo("again");
    assertThat(second.getDeliveryCount()).isEqualTo(1);
    assertThat(second.getLockToken()).isNotEqualTo(first.getLockToken());
    assertThatThrownBy(() -> receiver.complete(first)).isInstanceOfSatisfying(ServiceBusException.class,
        e -> assertThat(e.getReason()).isEqualTo(ServiceBusFailureReason.MESSAGE_LOCK_LOST));
    assertThatThrownBy(() -> receiver.renewMessageLock(first)).isInstanceOf(ServiceBusException.class);
  }

  @Test
  void aDeadLetteredMessageKeepsItsReasonDescriptionAndSource() {
    String queue = queue(new CreateQueueOptions());
    sender(queue).sendMessage(new ServiceBusMessage("poison"));
    ServiceBusReceiverClient receiver = receiver(queue, SubQueue.NONE);
    receiver.deadLetter(receive(receiver, 1).get(0),
        new DeadLetterOptions().setDeadLetterReason("malformed").setDeadLetterErrorDescription("malformed: not JSON"));

    ServiceBusReceivedMessage dead = receive(receiver(queue, SubQueue.DEAD_LETTER_QUEUE), 1).get(0);

    assertThat(text(dead)).isEqualTo("poison");
    assertThat(dead.getDeadLetterReason()).isEqualTo("malformed");
    assertThat(dead.getDeadLetterErrorDescription()).isEqualTo("malformed: not JSON");
    assertThat(dead.getDeadLetterSource()).isEqualTo(queue);
    QueueRuntimeProperties counts = admin.getQueueRuntimeProperties(queue);
    assertThat(counts.getActiveMessageCount()).isZero();
    assertThat(counts.getDeadLetterMessageCount()).isEqualTo(1);
  }

  @Test
  void abandonedPastTheMaxDeliveryCountAMessageIsDeadLettered() {
    String queue = queue(new CreateQueueOptions().setMaxDeliveryCount(2));
    sender(queue).sendMessage(new ServiceBusMessage("crashes"));
    ServiceBusReceiverClient receiver = receiver(queue, SubQueue.NONE);
    receiver.abandon(receive(receiver, 1).get(0));
    receiver.abandon(receive(receiver, 1).get(0));

    ServiceBusReceivedMessage dead = receive(receiver(queue, SubQueue.DEAD_LETTER_QUEUE), 1).get(0);

    assertThat(dead.getDeadLetterReason()).isEqualTo("MaxDeliveryCountExceeded");
    assertThat(admin.getQueueRuntimeProperties(queue).getActiveMessageCount()).isZero();
  }

  @Test
  void anExpiredMessageGoesToTheDeadLetterQueueWhenTheQueueSaysSo() {
    String queue = queue(new CreateQueueOptions().setDefaultMessageTimeToLive(Duration.ofSeconds(1))
        .setDeadLetteringOnMessageExpiration(true));
    sender(queue).sendMessage(new ServiceBusMessage("stale"));
    Instant expired = Instant.now().plusSeconds(1);
    // The wait is for the message's time to live to pass, which is what this test is about.
    Await.until(Duration.ofSeconds(5), () -> Instant.now().isAfter(expired), () -> "the time to live to pass");

    List<ServiceBusReceivedMessage> live = new ArrayList<>();
    receiver(queue, SubQueue.NONE).receiveMessages(1, Duration.ofMillis(500)).forEach(live::add);
    ServiceBusReceivedMessage dead = receive(receiver(queue, SubQueue.DEAD_LETTER_QUEUE), 1).get(0);

    assertThat(live).isEmpty();
    assertThat(text(dead)).isEqualTo("stale");
    assertThat(dead.getDeadLetterReason()).isEqualTo("TTLExpiredException");
  }

  @Test
  void peekShowsMessagesWithoutLockingThem() {
    String queue = queue(new CreateQueueOptions());
    sender(queue).sendMessages(List.of(new ServiceBusMessage("one"), new ServiceBusMessage("two")));
    ServiceBusReceiverClient receiver = receiver(queue, SubQueue.NONE);

    List<ServiceBusReceivedMessage> peeked = new ArrayList<>();
    receiver.peekMessages(10).forEach(peeked::add);
    List<ServiceBusReceivedMessage> received = receive(receiver, 2);

    assertThat(peeked).extracting(FakeServiceBusTest::text).containsExactly("one", "two");
    assertThat(received).hasSize(2);
  }

  @Test
  void aMissingQueueIsNotFoundOverAmqpAndHttp() {
    ServiceBusSenderClient sender = sender("no-such-queue");

    assertThatThrownBy(() -> sender.sendMessage(new ServiceBusMessage("lost")))
        .isInstanceOfSatisfying(ServiceBusException.class,
            e -> assertThat(e.getReason()).isEqualTo(ServiceBusFailureReason.MESSAGING_ENTITY_NOT_FOUND));
    assertThatThrownBy(() -> admin.getQueue("no-such-queue")).isInstanceOf(ResourceNotFoundException.class);
    assertThat(admin.getQueueExists("no-such-queue")).isFalse();
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRefused() {
    String queue = queue(new CreateQueueOptions());
    String forged = bus.connectionString().replaceAll("SharedAccessKey=[^;]+", "SharedAccessKey="
        + java.util.Base64.getEncoder().encodeToString("not the key".getBytes(StandardCharsets.UTF_8)));

    try (ServiceBusSenderClient sender = new ServiceBusClientBuilder().connectionString(forged)
        .sender().queueName(queue).buildClient()) {
      assertThatThrownBy(() -> sender.sendMessage(new ServiceBusMessage(BinaryData.fromString("x"))))
          .isInstanceOfSatisfying(ServiceBusException.class,
              e -> assertThat(e.getReason()).isEqualTo(ServiceBusFailureReason.UNAUTHORIZED));
    }
    assertThat(admin.getQueueRuntimeProperties(queue).getActiveMessageCount()).isZero();
  }

  @Test
  void aQueueDescriptionRoundTripsThroughTheAdministrationApi() {
    String queue = queue(new CreateQueueOptions().setLockDuration(Duration.ofSeconds(45)).setMaxDeliveryCount(7)
        .setAutoDeleteOnIdle(Duration.ofHours(2)).setDeadLetteringOnMessageExpiration(true)
        .setUserMetadata("{\"k\":\"v\"}"));

    var properties = admin.getQueue(queue);
    properties.setUserMetadata("{\"k\":\"w\"}");
    var updated = admin.updateQueue(properties);
    admin.deleteQueue(queue);

    assertThat(properties.getLockDuration()).isEqualTo(Duration.ofSeconds(45));
    assertThat(properties.getMaxDeliveryCount()).isEqualTo(7);
    assertThat(properties.getAutoDeleteOnIdle()).isEqualTo(Duration.ofHours(2));
    assertThat(properties.isDeadLetteringOnMessageExpiration()).isTrue();
    assertThat(updated.getUserMetadata()).isEqualTo("{\"k\":\"w\"}");
    assertThat(admin.getQueueExists(queue)).isFalse();
  }
}
