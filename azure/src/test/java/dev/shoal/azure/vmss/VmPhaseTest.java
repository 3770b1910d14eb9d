package dev.shoal.azure.vmss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The phase of a pool's VM from ARM's provisioning and power states: the whole table. */
class VmPhaseTest {

  @ParameterizedTest(name = "{0} + {1} -> {2}")
  @CsvSource(nullValues = "-", value = {
      // provisioning, power, phase
      "creating,    -,            PENDING",
      "creating,    starting,     PENDING",
      "creating,    stopped,      PENDING",
      "creating,    running,      PENDING",
      "succeeded,   -,            PENDING",
      "succeeded,   starting,     PENDING",
      "succeeded,   unknown,      PENDING",
      "-,           -,            PENDING",
      "failed,      starting,     PENDING",
      // Powered on: its worker may be busy, whatever the provisioning says.
      "succeeded,   running,      RUNNING",
      "updating,    running,      RUNNING",
      "failed,      running,      RUNNING",
      "-,           running,      RUNNING",
      // Powered off and settled: the worker exited and its script shut the machine down.
      "succeeded,   stopped,      EXITED",
      "succeeded,   deallocated,  EXITED",
      "failed,      stopped,      EXITED",
      "-,           deallocated,  EXITED",
      "succeeded,   hibernated,   EXITED",
      // On the way out, or in a transition to read again.
      "deleting,    running,      LEAVING",
      "deleting,    -,            LEAVING",
      "succeeded,   stopping,     LEAVING",
      "succeeded,   deallocating, LEAVING",
      "updating,    stopped,      LEAVING",
      "migrating,   deallocated,  LEAVING",
  })
  void thePhaseOfEachPairOfStates(String provisioning, String power, VmPhase phase) {
    assertThat(VmPhase.of(provisioning, power)).isEqualTo(phase);
  }

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource(nullValues = "-", value = {
      // The resource's provisioningState, then the instance view's codes (which win), as ARM spells them.
      "Succeeded, ProvisioningState/succeeded PowerState/running,                       RUNNING",
      "Creating,  ProvisioningState/creating,                                           PENDING",
      "Succeeded, ProvisioningState/succeeded PowerState/starting,                      PENDING",
      "Succeeded, ProvisioningState/succeeded PowerState/stopped,                       EXITED",
      "Failed,    ProvisioningState/failed/OSProvisioningTimedOut PowerState/running,   RUNNING",
      "Deleting,  ProvisioningState/deleting PowerState/running,                        LEAVING",
      "Succeeded, ProvisioningState/deleting PowerState/running,                        LEAVING",
      "Creating,  -,                                                                    PENDING",
      "Succeeded, PowerState/deallocated,                                               EXITED",
      "Succeeded, OSState/generalized PowerState/running,                               RUNNING",
  })
  void thePhaseFromArmsStatusCodes(String provisioningState, String codes, VmPhase phase) {
    List<String> statuses = codes == null ? List.of() : List.of(codes.trim().split("\\s+"));
    assertThat(VmPhase.of(provisioningState, statuses)).isEqualTo(phase);
  }
}
