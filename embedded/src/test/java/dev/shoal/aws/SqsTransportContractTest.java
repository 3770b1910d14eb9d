package dev.shoal.aws;

import dev.shoal.embedded.EmbeddedSqsServer;
import dev.shoal.spi.Transport;
import dev.shoal.testing.TransportContract;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The SQS transport on its default HTTP client, against a real SQS-compatible server (ElasticMQ) on a free loopback port. */
class SqsTransportContractTest extends TransportContract {
  private static EmbeddedSqsServer server;

  @BeforeAll
  static void startServer() {
    server = EmbeddedSqsServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  /** The server's endpoint, for a subclass that builds its transport otherwise. */
  static String endpoint() {
    return server.endpoint().toString();
  }

  @Override
  protected Transport newTransport() {
    return SqsClients.transport(Map.of(SqsClients.ENDPOINT, endpoint(),
        SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static"));
  }
}
