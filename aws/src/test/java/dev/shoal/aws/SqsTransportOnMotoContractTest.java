package dev.shoal.aws;

import dev.shoal.spi.Transport;
import dev.shoal.testing.TransportContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SQS transport against a second SQS implementation, moto's server, in the aws module itself
 * (the run against ElasticMQ lives in embedded/, where that server is).
 */
@ExtendWith(Moto.class)
class SqsTransportOnMotoContractTest extends TransportContract {
  /** moto 5.2 answers 1 on a second delivery, where SQS and ElasticMQ answer 2. */
  @Override
  protected boolean countsDeliveries() {
    return false;
  }

  @Override
  protected Transport newTransport() {
    return SqsClients.transport(Moto.settings());
  }
}
