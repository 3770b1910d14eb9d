package dev.shoal.azure.vmss;

import java.util.List;
import java.util.Locale;

/**
 * Where a VM of the pool is in its life, as far as the provider's caller is concerned, read from
 * ARM's provisioning state and power state (the instance view's {@code ProvisioningState/*} and
 * {@code PowerState/*} status codes).
 *
 * <p>The rule that shapes the table: a VM that may be running a worker counts as {@link #RUNNING},
 * never as {@link #PENDING}, because the dispatcher deletes workers that stay pending too long and
 * must never delete a busy one. So a VM whose power is on counts as running whatever its
 * provisioning says (an update in progress, or a failed OS provisioning that cloud-init outlived),
 * unless it is still being created.
 */
enum VmPhase {
  /** Being created, or created and not yet powered on. */
  PENDING,
  /** Powered on: its worker may be running. */
  RUNNING,
  /**
   * Powered off (stopped or deallocated) and settled: its worker exited and the machine shut itself
   * down, so nothing runs on it. The provider deletes it.
   */
  EXITED,
  /** On its way out (deleting, stopping, deallocating) or in a transition to read again later. */
  LEAVING;

  private static final String PROVISIONING = "provisioningstate/";
  private static final String POWER = "powerstate/";

  /**
   * The phase of a VM from its provisioning state (the resource's {@code provisioningState}, or
   * the instance view's {@code ProvisioningState/...} code, which wins when both are given) and
   * its instance view's status codes; either may be missing.
   */
  static VmPhase of(String provisioningState, List<String> statusCodes) {
    String provisioning = provisioningState == null ? null : provisioningState.toLowerCase(Locale.ROOT);
    String power = null;
    for (String code : statusCodes) {
      String lower = code == null ? "" : code.toLowerCase(Locale.ROOT);
      if (lower.startsWith(PROVISIONING)) {
        // "ProvisioningState/failed/OSProvisioningTimedOut": the second segment is the state.
        String rest = lower.substring(PROVISIONING.length());
        int slash = rest.indexOf('/');
        provisioning = slash < 0 ? rest : rest.substring(0, slash);
      } else if (lower.startsWith(POWER)) {
        power = lower.substring(POWER.length());
      }
    }
    return of(provisioning, power);
  }

  /** The table itself, on lower-case states without their prefixes; null for a state not reported. */
  static VmPhase of(String provisioning, String power) {
    if ("deleting".equals(provisioning)) {
      return LEAVING;
    }
    boolean creating = "creating".equals(provisioning);
    if ("stopped".equals(power) || "deallocated".equals(power) || "hibernated".equals(power)) {
      if (creating) {
        return PENDING;
      }
      // An update or a migration may power a VM off and on again: look again next time.
      return "updating".equals(provisioning) || "migrating".equals(provisioning) ? LEAVING : EXITED;
    }
    if ("stopping".equals(power) || "deallocating".equals(power) || "hibernating".equals(power)) {
      return LEAVING;
    }
    if ("running".equals(power) && !creating) {
      return RUNNING;
    }
    return PENDING;
  }
}
