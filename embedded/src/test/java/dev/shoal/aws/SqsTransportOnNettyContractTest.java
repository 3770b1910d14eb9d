package dev.shoal.aws;

import dev.shoal.embedded.EmbeddedSqsServer;
import dev.shoal.spi.Transport;
import dev.shoal.testing.TransportContract;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The SQS transport on the SDK's Netty HTTP client (the choice besides the default JDK one), against ElasticMQ. */
class SqsTransportOnNettyContractTest extends TransportContract {
  private static EmbeddedSqsServer server;

  @BeforeAll
  static void startServer() {
    server = EmbeddedSqsServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Override
  protected Transport newTransport() {
    return SqsClients.transport(Map.of(SqsClients.ENDPOINT, server.endpoint().toString(),
        SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static", SqsClients.HTTP_CLIENT, SqsClients.NETTY_HTTP));
  }
}
