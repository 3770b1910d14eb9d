package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;

/** The embedded server's actor threads follow the machine's cores, not Pekko's fixed minimum of 8. */
class EmbeddedSqsServerSizingTest {
  @Test
  void bothDispatchersAreSizedToTheCores() {
    Config config = EmbeddedSqsServer.sizedToThisMachine();
    int cores = Runtime.getRuntime().availableProcessors();
    for (String dispatcher : new String[] {"default-dispatcher", "internal-dispatcher"}) {
      String prefix = "pekko.actor." + dispatcher + ".fork-join-executor.";
      assertThat(config.getInt(prefix + "parallelism-min")).as(dispatcher).isEqualTo(1);
      assertThat(config.getInt(prefix + "parallelism-max")).as(dispatcher).isEqualTo(cores);
    }
    // The rest of Pekko's reference configuration is still there beneath the sizing.
    assertThat(config.getString("pekko.actor.default-dispatcher.type")).isEqualTo("Dispatcher");
  }
}
