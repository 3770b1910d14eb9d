package dev.shoal.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.shoal.aws.SqsClients;
import dev.shoal.embedded.EmbeddedSqsServer;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An embedded SQS server (ElasticMQ) for a test class, a transport to it, and what the tests put
 * there: queues with dead-letter queues, task bundles, real dead letters.
 */
final class ElasticMq implements AutoCloseable {
  static final String RUN = "run-cli-test";

  private final EmbeddedSqsServer server;
  final Transport transport;
  private final WireCodec codec = new WireCodec(JsonCodec.create());

  private ElasticMq() {
    server = EmbeddedSqsServer.start();
    transport = SqsClients.transport(settings());
  }

  static ElasticMq start() {
    return new ElasticMq();
  }

  /** The sqs transport's settings for this server. */
  Map<String, String> settings() {
    return Map.of(SqsClients.ENDPOINT, server.endpoint().toString(), SqsClients.CREDENTIALS, "static",
        SqsClients.REGION, "us-east-1");
  }

  /** The command-line options that point a command at this server's queue. */
  List<String> options(String queue) {
    return List.of("--transport", "sqs", "--setting", "endpoint=" + server.endpoint(), "--setting",
        "credentials=static", "--setting", "region=us-east-1", "--queue", queue);
  }

  /** A fresh queue with a dead-letter queue (the service moves a message there after {@code maxReceives}). */
  String queueWithDeadLetters(int maxReceives) {
    return transport.createQueue("cli-" + UUID.randomUUID().toString().substring(0, 8), QueueOptions.defaults()
        .withVisibilityTimeout(Duration.ofSeconds(30)).withMaxReceiveCount(maxReceives)).join();
  }

  String deadLettersOf(String queue) {
    return transport.deadLetterAddress(queue).join();
  }

  /** A bundle of tasks of these apps (ids from {@code firstId}), as a client sends it. */
  byte[] bundle(long firstId, String reply, String... apps) {
    List<TaskEnvelope> tasks = new ArrayList<>();
    for (int i = 0; i < apps.length; i++) {
      tasks.add(new TaskEnvelope(WireCodec.VERSION, firstId + i, RUN, apps[i],
          JsonNodeFactory.instance.arrayNode().add(1_000_000L).add(i), 1, reply, null, null));
    }
    return codec.encodeTasks(tasks);
  }

  /** Sends the body to the queue, receives it and dead-letters it with the reason; returns the dead letter's id. */
  String deadLetter(String queue, byte[] body, String reason) {
    transport.send(queue, List.of(body)).join();
    ReceivedMessage message = only(transport.receive(queue, 1, Duration.ofSeconds(5)).join());
    transport.deadLetter(queue, message, reason).join();
    return findInDeadLetters(queue, body);
  }

  /** Sends the body and lets the queue itself move it, after a delivery too many (its queue allows one). */
  String redrivenByTheQueue(String queue, byte[] body) {
    transport.send(queue, List.of(body)).join();
    List<ReceivedMessage> first = transport.receive(queue, 1, Duration.ofSeconds(5)).join();
    transport.extendLease(queue, first, Duration.ZERO).join();
    // The next receive finds it over its count and moves it instead of delivering it.
    if (!transport.receive(queue, 1, Duration.ofSeconds(1)).join().isEmpty()) {
      throw new IllegalStateException("the queue delivered a message past its maxReceiveCount");
    }
    return findInDeadLetters(queue, body);
  }

  /** The id of the dead letter with this body (it is looked at and released). */
  private String findInDeadLetters(String queue, byte[] body) {
    List<ReceivedMessage> all = peek(deadLettersOf(queue));
    for (ReceivedMessage message : all) {
      if (java.util.Arrays.equals(message.body(), body)) {
        return message.id();
      }
    }
    throw new IllegalStateException("no dead letter with that body in " + deadLettersOf(queue));
  }

  /** Every message of the queue, received and released again: what it holds now. */
  List<ReceivedMessage> peek(String address) {
    List<ReceivedMessage> all = new ArrayList<>();
    while (true) {
      List<ReceivedMessage> batch = transport.receive(address, 10, Duration.ZERO).join();
      if (batch.isEmpty()) {
        break;
      }
      all.addAll(batch);
    }
    if (!all.isEmpty()) {
      transport.extendLease(address, all, Duration.ZERO).join();
    }
    return all;
  }

  /** Every message of the queue, received and deleted. */
  List<ReceivedMessage> drain(String address) {
    List<ReceivedMessage> all = new ArrayList<>();
    while (true) {
      List<ReceivedMessage> batch = transport.receive(address, 10, Duration.ZERO).join();
      if (batch.isEmpty()) {
        break;
      }
      transport.ack(address, batch).join();
      all.addAll(batch);
    }
    return all;
  }

  private static ReceivedMessage only(List<ReceivedMessage> messages) {
    if (messages.size() != 1) {
      throw new IllegalStateException("expected one message, got " + messages.size());
    }
    return messages.get(0);
  }

  @Override
  public void close() {
    transport.close();
    server.close();
  }
}
