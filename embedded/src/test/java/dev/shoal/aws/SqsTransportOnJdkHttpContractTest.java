package dev.shoal.aws;

import dev.shoal.spi.Transport;
import java.util.Map;

/** The SQS transport on the JDK's HTTP client (the choice besides the default Netty one), against ElasticMQ. */
class SqsTransportOnJdkHttpContractTest extends SqsTransportContractTest {
  @Override
  protected Transport newTransport() {
    return SqsClients.transport(Map.of(SqsClients.ENDPOINT, endpoint(),
        SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static", SqsClients.HTTP_CLIENT, SqsClients.JDK_HTTP));
  }
}
