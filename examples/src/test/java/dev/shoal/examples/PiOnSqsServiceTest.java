package dev.shoal.examples;

import dev.shoal.aws.Moto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README demo on an SQS service outside this JVM, by settings alone, as on LocalStack
 * ({@link PiOnLocalStackTest}, which needs Docker): here moto's server, which runs without it.
 */
@ExtendWith(Moto.class)
class PiOnSqsServiceTest {
  @Test
  void theDemoRunsOnMotosSqsWithTwoWorkerJvms() throws Exception {
    PiOnLocalStackTest.theDemoRunsOnSqsAt(Moto.settings());
  }
}
