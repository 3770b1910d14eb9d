package dev.shoal.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.embedded.EmbeddedSqsServer;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.TransportException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * What the JDK HTTP client under the SQS SDK must get right beyond the transport contract:
 * large bodies both ways, failures that name their cause, long polls that wait, and no threads
 * left behind.
 */
class JdkAsyncHttpClientTest {
  private static Map<String, String> settings(String endpoint) {
    return Map.of(SqsClients.ENDPOINT, endpoint, SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static",
        SqsClients.HTTP_CLIENT, SqsClients.JDK_HTTP);
  }

  @Test
  void aBodyAtTheQueuesLimitGoesAndComesBackWhole() {
    try (EmbeddedSqsServer server = EmbeddedSqsServer.start();
         SqsTransport transport = SqsClients.transport(settings(server.endpoint().toString()))) {
      String queue = transport.createQueue("jdk-large", QueueOptions.defaults()).join();
      // ElasticMQ's limit is 256 KiB; characters outside ASCII make the JSON escaping work too.
      char[] text = new char[SqsTransport.CLASSIC_MAX_MESSAGE_BYTES / 4];
      Arrays.fill(text, 'é');
      byte[] body = (new String(text) + "\"\\\n").getBytes(StandardCharsets.UTF_8);
      transport.send(queue, List.of(body)).join();
      List<ReceivedMessage> received = transport.receive(queue, 10, Duration.ofSeconds(5)).join();
      assertThat(received).hasSize(1);
      assertThat(received.get(0).body()).isEqualTo(body);
    }
  }

  @Test
  void aLongPollWaitsForAMessageSentWhileItWaits() throws Exception {
    try (EmbeddedSqsServer server = EmbeddedSqsServer.start();
         SqsTransport transport = SqsClients.transport(settings(server.endpoint().toString()))) {
      String queue = transport.createQueue("jdk-poll", QueueOptions.defaults()).join();
      var poll = transport.receive(queue, 10, Duration.ofSeconds(20));
      transport.send(queue, List.of("late".getBytes(StandardCharsets.UTF_8))).join();
      List<ReceivedMessage> received = poll.join();
      assertThat(received).extracting(message -> new String(message.body(), StandardCharsets.UTF_8))
          .containsExactly("late");
    }
  }

  @Test
  void aServerThatIsNotThereFailsTheCallWithTheCause() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (SqsTransport transport = SqsClients.transport(settings("http://127.0.0.1:" + closedPort))) {
      assertThatThrownBy(() -> transport.send("http://127.0.0.1:" + closedPort + "/000000000000/q",
          List.of("x".getBytes(StandardCharsets.UTF_8))).join())
          .isInstanceOf(CompletionException.class)
          .cause().isInstanceOf(TransportException.class)
          .hasMessageContaining("127.0.0.1:" + closedPort);
    }
  }

  @Test
  void closingTheTransportEndsTheClientsThreads() throws Exception {
    try (EmbeddedSqsServer server = EmbeddedSqsServer.start()) {
      SqsTransport transport = SqsClients.transport(settings(server.endpoint().toString()));
      transport.createQueue("jdk-close", QueueOptions.defaults()).join();
      assertThat(httpThreads()).isNotEmpty();
      transport.close();
      for (Thread thread : httpThreads()) {
        thread.join(Duration.ofSeconds(10).toMillis());
      }
      assertThat(httpThreads()).isEmpty();
    }
  }

  @Test
  void anUnknownHttpClientIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> SqsClients.create(Map.of(SqsClients.HTTP_CLIENT, "curl")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(SqsClients.HTTP_CLIENT).hasMessageContaining("curl");
  }

  private static List<Thread> httpThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith("shoal-sqs-http-") && thread.isAlive()).toList();
  }
}
