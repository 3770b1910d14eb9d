package dev.shoal.azure.vmss;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Azure Resource Manager id of a virtual machine scale set, read from its string form
 * {@code /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>}.
 * ARM ids are case-insensitive (ARM itself often answers a resource group's name in another case
 * than it was given), so two ids are compared with {@link #matches(String)}, never with equals.
 */
record ScaleSetId(String subscriptionId, String resourceGroup, String name) {
  private static final Pattern ID = Pattern.compile(
      "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachineScaleSets/([^/]+)/?",
      Pattern.CASE_INSENSITIVE);

  ScaleSetId {
    Objects.requireNonNull(subscriptionId, "subscriptionId");
    Objects.requireNonNull(resourceGroup, "resourceGroup");
    Objects.requireNonNull(name, "name");
  }

  /** Reads an ARM id; anything else (a name alone, another resource type) is refused, saying what is expected. */
  static ScaleSetId parse(String resourceId) {
    Objects.requireNonNull(resourceId, "a scale-set provider needs its scale set's resource id");
    Matcher id = ID.matcher(resourceId.trim());
    if (!id.matches()) {
      throw new IllegalArgumentException("not the resource id of a scale set (expected /subscriptions/<id>/"
          + "resourceGroups/<group>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>): " + resourceId);
    }
    return new ScaleSetId(id.group(1), id.group(2), id.group(3));
  }

  /** Whether an id that ARM gave (a VM's {@code virtualMachineScaleSet.id}, say) names this scale set. */
  boolean matches(String resourceId) {
    if (resourceId == null) {
      return false;
    }
    Matcher id = ID.matcher(resourceId.trim());
    return id.matches() && id.group(1).equalsIgnoreCase(subscriptionId) && id.group(2).equalsIgnoreCase(resourceGroup)
        && id.group(3).equalsIgnoreCase(name);
  }

  @Override
  public String toString() {
    return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.Compute/virtualMachineScaleSets/" + name;
  }
}
