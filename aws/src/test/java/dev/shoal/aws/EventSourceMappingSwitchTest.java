package dev.shoal.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.spi.BurstSwitch;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** The AWS burst switch against moto's Lambda: the mapping of a burst worker function, turned on and off. */
@ExtendWith(Moto.class)
class EventSourceMappingSwitchTest {

  @Test
  void turnsTheTaskQueuesMappingOnAndOffAndReadsItsState() {
    try (MotoBurstMapping mapping = new MotoBurstMapping("shoal-burst-" + UUID.randomUUID().toString().substring(0, 8));
         EventSourceMappingSwitch burst = mapping.burstSwitch()) {
      assertThat(burst.state()).isEqualTo(BurstSwitch.State.OFF);

      burst.turn(true);
      assertThat(burst.state()).isEqualTo(BurstSwitch.State.ON);
      assertThat(mapping.state()).isEqualTo("Enabled");
      burst.turn(true);
      assertThat(burst.state()).as("turning on what is on is no error").isEqualTo(BurstSwitch.State.ON);

      burst.turn(false);
      assertThat(burst.state()).isEqualTo(BurstSwitch.State.OFF);
      assertThat(mapping.state()).isEqualTo("Disabled");
      assertThat(mapping.source()).as("the mapping itself is untouched").isEqualTo(mapping.queueArn());
    }
  }

  @Test
  void aMappingThatIsGoneFailsClearlyAndANonUuidIsRefusedAtOnce() {
    try (EventSourceMappingSwitch gone = EventSourceMappingSwitch.create(UUID.randomUUID().toString(),
        Moto.settings())) {
      assertThatThrownBy(gone::state).isInstanceOf(ResourceNotFoundException.class);
      assertThatThrownBy(() -> gone.turn(true)).satisfiesAnyOf(
          error -> assertThat(error).isInstanceOf(ResourceNotFoundException.class),
          error -> assertThat(error).hasMessageContaining("was not updated"));
    }
    assertThatThrownBy(() -> EventSourceMappingSwitch.create("WorkerFunctionTaskQueue", Moto.settings()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UUID");
  }

}
