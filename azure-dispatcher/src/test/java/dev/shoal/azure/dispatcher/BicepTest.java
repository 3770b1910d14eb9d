package dev.shoal.azure.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.resourcemanager.compute.models.OrchestrationMode;
import com.azure.resourcemanager.compute.models.UpgradeMode;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.BlobServiceClientBuilder;
import dev.shoal.azure.blob.BlobPayloadStore;
import dev.shoal.dispatcher.PoolSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.azure.vmss.VmssProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * infra/azure/main.bicep, checked offline, since no Bicep compiler runs here: its parameters, the
 * resource types and API versions it deploys, the roles it grants and on what, that nothing lets a
 * connection in to the workers, that its scale set is one {@link VmssProvider} agrees to change,
 * and that it gives the Function every setting the code reads and the client every output the
 * deploy steps read. It parses the file's declarations
 * with a few patterns, which is enough for a file written to be read; what it cannot check (that
 * ARM accepts it, that the roles suffice) only a deployment can.
 */
class BicepTest {
  /** The built-in roles the template grants, by the ids Azure documents (the same in every tenant). */
  private static final Map<String, String> BUILT_IN_ROLES = Map.of(
      "serviceBusDataReceiverRole", "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",  // Azure Service Bus Data Receiver
      "serviceBusDataSenderRole", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",    // Azure Service Bus Data Sender
      "serviceBusDataOwnerRole", "090c5cfd-751d-490a-894a-3ce6f1109419",     // Azure Service Bus Data Owner
      "storageBlobDataReaderRole", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",   // Storage Blob Data Reader
      "storageBlobDataOwnerRole", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",    // Storage Blob Data Owner
      "storageBlobDataContributorRole", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", // Storage Blob Data Contributor
      "managedIdentityOperatorRole", "f1a07417-d97a-45cb-824c-7a7467783830"); // Managed Identity Operator
  /**
   * Roles that would give away more than any part here needs: Owner, Contributor, User Access
   * Administrator, and Virtual Machine Contributor and Reader (the dispatcher gets custom roles
   * with just the scale set's and the VMs' actions instead).
   */
  private static final Set<String> TOO_BROAD = Set.of("8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
      "b24988ac-6180-42a0-ab88-20f7382dd24c", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
      "9980e02c-c2be-4d73-94e8-173b1dc7cf3c", "acdd72a7-3385-48ef-bd42-f606fba81ae7");
  /** The custom roles the template defines (each assignable in its resource group only), with their actions. */
  private static final Map<String, List<String>> CUSTOM_ROLES = Map.of(
      "poolScalerRole", List.of("Microsoft.Compute/virtualMachineScaleSets/read",
          "Microsoft.Compute/virtualMachineScaleSets/write",
          "Microsoft.Compute/virtualMachineScaleSets/delete/action"),
      "workerListerRole", List.of("Microsoft.Compute/virtualMachines/read",
          "Microsoft.Compute/virtualMachines/instanceView/read"),
      "subnetJoinRole", List.of("Microsoft.Network/virtualNetworks/subnets/join/action"),
      "burstSwitchRole", List.of("Microsoft.Web/sites/config/list/action", "Microsoft.Web/sites/config/write"));

  private static Path dir;
  private static String text;
  private static Bicep bicep;

  @BeforeAll
  static void parse() throws IOException {
    Path repo = Path.of("").toAbsolutePath();
    while (!Files.isRegularFile(repo.resolve("infra/azure/main.bicep"))) {
      repo = repo.getParent();
      assertThat(repo).as("infra/azure/main.bicep above the working directory").isNotNull();
    }
    dir = repo.resolve("infra/azure");
    text = Files.readString(dir.resolve("main.bicep"));
    bicep = Bicep.parse(text);
  }

  @Test
  void itTakesTheseParametersAndOnlyTheSshKeyHasNoDefault() {
    assertThat(bicep.params.keySet()).containsExactlyInAnyOrder("location", "namePrefix", "serviceBusSku",
        "taskQueueName", "vmQueueName", "taskLockDuration", "workerMaxDeliveries", "maxDeliveryCount", "taskMessageTimeToLive",
        "workerVmSize", "workerImage", "adminUsername", "adminSshPublicKey", "poolName", "workerJarName",
        "minWorkers", "maxWorkers", "slotsPerWorker", "targetBacklogPerSlot", "tasksPerMessage", "idleCoolDown",
        "pendingDeadline", "silenceLimit", "workerIdleTimeout", "functionJavaVersion", "clientPrincipalId",
        "clientPrincipalType", "deployerPrincipalId", "deployerPrincipalType", "vnetAddressPrefix",
        "workerSubnetPrefix", "burstMaxInstances");
    bicep.params.forEach((name, param) -> {
      if (name.equals("adminSshPublicKey")) {
        assertThat(param.defaultValue()).as(name).isNull();
      } else {
        assertThat(param.defaultValue()).as("default of %s", name).isNotNull();
      }
    });
    // The queue's own dead-lettering stays behind the workers' poison check.
    assertThat(bicep.params.get("maxDeliveryCount").defaultValue()).isEqualTo("workerMaxDeliveries + 2");
    // Durations are ISO-8601, as the Function and the workers parse them.
    for (String duration : List.of("taskLockDuration", "idleCoolDown", "pendingDeadline", "silenceLimit",
        "workerIdleTimeout")) {
      Duration parsed = Duration.parse(unquote(bicep.params.get(duration).defaultValue()));
      assertThat(parsed).as(duration).isPositive();
    }
    assertThat(Duration.parse(unquote(bicep.params.get("taskLockDuration").defaultValue())))
        .as("Service Bus locks last at most 5 minutes").isLessThanOrEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void itDeploysTheseResourceTypesAtGaApiVersions() {
    List<String> deployed = bicep.resources.values().stream().filter(resource -> !resource.existing())
        .map(resource -> resource.type() + "@" + resource.apiVersion()).sorted().toList();
    assertThat(deployed).containsExactly(
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
        "Microsoft.Authorization/roleDefinitions@2022-04-01",
        "Microsoft.Authorization/roleDefinitions@2022-04-01",
        "Microsoft.Authorization/roleDefinitions@2022-04-01",
        "Microsoft.Authorization/roleDefinitions@2022-04-01",
        "Microsoft.Compute/virtualMachineScaleSets@2024-07-01",
        "Microsoft.Insights/components@2020-02-02",
        "Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31",
        "Microsoft.Network/natGateways@2024-05-01",
        "Microsoft.Network/networkSecurityGroups@2024-05-01",
        "Microsoft.Network/publicIPAddresses@2024-05-01",
        "Microsoft.Network/virtualNetworks@2024-05-01",
        "Microsoft.OperationalInsights/workspaces@2023-09-01",
        "Microsoft.ServiceBus/namespaces/queues@2024-01-01",
        "Microsoft.ServiceBus/namespaces/queues@2024-01-01",
        "Microsoft.ServiceBus/namespaces@2024-01-01",
        "Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01",
        "Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01",
        "Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01",
        "Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01",
        "Microsoft.Storage/storageAccounts/blobServices@2023-05-01",
        "Microsoft.Storage/storageAccounts/blobServices@2023-05-01",
        "Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01",
        "Microsoft.Storage/storageAccounts@2023-05-01",
        "Microsoft.Storage/storageAccounts@2023-05-01",
        "Microsoft.Web/serverfarms@2024-04-01",
        "Microsoft.Web/serverfarms@2024-04-01",
        "Microsoft.Web/sites@2024-04-01",
        "Microsoft.Web/sites@2024-04-01");
    assertThat(bicep.resources.values()).allSatisfy(resource ->
        assertThat(resource.apiVersion()).as(resource.symbol()).matches("\\d{4}-\\d{2}-\\d{2}"));
    assertThat(bicep.resources.values()).noneMatch(resource -> resource.type().contains("loadBalancers")
        || resource.type().contains("bastionHosts") || resource.type().contains("inboundNatRules"));
  }

  @Test
  void theBuiltInRolesGoByTheirDocumentedIdsAndNoneIsBroad() {
    Map<String, String> declared = new LinkedHashMap<>();
    bicep.vars.forEach((name, value) -> {
      if (name.endsWith("Role")) {
        declared.put(name, unquote(value));
      }
    });
    assertThat(declared).containsExactlyInAnyOrderEntriesOf(BUILT_IN_ROLES);
    for (String broad : TOO_BROAD) {
      assertThat(text).doesNotContain(broad);
    }
    assertThat(text).doesNotContain("subscription().id)").doesNotContain("scope: subscription()")
        .doesNotContain("targetScope = 'subscription'");
  }

  /** Every role assignment as "principal <- role on scope" (the resource group when it names no scope). */
  private static Set<String> grants() {
    Set<String> grants = new TreeSet<>();
    Set<String> names = new TreeSet<>();
    for (Resource resource : bicep.resources.values()) {
      if (!resource.type().equals("Microsoft.Authorization/roleAssignments")) {
        continue;
      }
      String role = first(resource.body(),
          "roleDefinitionId: (?:subscriptionResourceId\\('Microsoft.Authorization/roleDefinitions', (\\w+)\\)|(\\w+)\\.id)");
      String scope = first(resource.body(), "(?m)^\\s*scope: (\\w+)\\s*$");
      String principal = first(resource.body(), "principalId: (\\w+)");
      assertThat(role).as("role of %s", resource.symbol()).isNotNull();
      assertThat(principal).as("principal of %s", resource.symbol()).isNotNull();
      assertThat(resource.body()).as("%s names itself after its scope, principal and role", resource.symbol())
          .containsPattern("name: guid\\([^\\n]*" + Pattern.quote(role) + "[^\\n]*\\)");
      if (scope != null) {
        assertThat(resource.body()).as("%s names itself after its scope", resource.symbol())
            .containsPattern("name: guid\\(" + Pattern.quote(scope) + "\\.id, ");
      }
      grants.add(principal + " <- " + role + " on " + (scope == null ? "resourceGroup" : scope));
      // Two assignments of one name are one resource to ARM: a copied one must be renamed.
      assertThat(names.add(first(resource.body(), "name: (guid\\([^\\n]*\\))"))).as("%s's name is its own",
          resource.symbol()).isTrue();
    }
    return grants;
  }

  @Test
  void eachIdentityGetsTheseRolesOnTheseScopesAndNoOther() {
    Set<String> grants = grants();
    assertThat(grants).containsExactlyInAnyOrder(
        // Workers: receive tasks (on both queues they serve), send replies, read the jar, beat
        // their heartbeats, read large arguments and write large results.
        "workerIdentity <- serviceBusDataReceiverRole on taskQueue",
        "workerIdentity <- serviceBusDataReceiverRole on vmQueue",
        "workerIdentity <- serviceBusDataSenderRole on serviceBus",
        "workerIdentity <- storageBlobDataReaderRole on jarContainer",
        "workerIdentity <- storageBlobDataContributorRole on heartbeatContainer",
        "workerIdentity <- storageBlobDataContributorRole on payloadContainer",
        // The dispatcher: the queues' depth and record (Manage, on each queue), its own host
        // storage, and what VmssProvider calls: read, grow (PATCH) and delete instances of the
        // scale set, the only identity that may; list and read the VMs, which a Flexible set keeps
        // in the group and the provider lists there; assign the workers' identity and join their
        // subnet as the set grows; list the heartbeats and delete those of VMs that are gone.
        "functionApp <- serviceBusDataOwnerRole on taskQueue",
        "functionApp <- serviceBusDataOwnerRole on vmQueue",
        "functionApp <- storageBlobDataOwnerRole on functionStorage",
        "functionApp <- poolScalerRole on scaleSet",
        "functionApp <- workerListerRole on resourceGroup",
        "functionApp <- managedIdentityOperatorRole on workerIdentity",
        "functionApp <- subnetJoinRole on workerSubnet",
        "functionApp <- storageBlobDataContributorRole on heartbeatContainer",
        // ... and turns the burst on and off: the burst app's settings, on that app alone.
        "functionApp <- burstSwitchRole on burstApp",
        // The burst worker Function: the trigger (and the platform's scaling, which reads the
        // queue's count: Manage) on the task queue, replies and split bundles as a VM worker sends
        // them, its host storage and package, large payloads.
        "burstApp <- serviceBusDataOwnerRole on taskQueue",
        "burstApp <- serviceBusDataSenderRole on serviceBus",
        "burstApp <- storageBlobDataOwnerRole on functionStorage",
        "burstApp <- storageBlobDataContributorRole on payloadContainer",
        // The client: its reply queues are created per run (Manage on the namespace); it puts
        // large arguments, reads large results and deletes both.
        "clientPrincipalId <- serviceBusDataOwnerRole on serviceBus",
        "clientPrincipalId <- storageBlobDataContributorRole on payloadContainer",
        // Whoever deploys: the two uploads.
        "deployerPrincipalId <- storageBlobDataContributorRole on jarContainer",
        "deployerPrincipalId <- storageBlobDataContributorRole on packageContainer");
    assertThat(grants.stream().filter(grant -> grant.endsWith(" on scaleSet")))
        .containsExactly("functionApp <- poolScalerRole on scaleSet");
    assertThat(grants.stream().filter(grant -> grant.contains("burstSwitchRole")))
        .containsExactly("functionApp <- burstSwitchRole on burstApp");
    // The principals are the identities the template makes, or parameters that may be left empty.
    assertThat(bicep.resources.get("clientOwnsQueues").condition()).isEqualTo("!empty(clientPrincipalId)");
    assertThat(bicep.resources.get("clientUsesPayloads").condition()).isEqualTo("!empty(clientPrincipalId)");
    assertThat(bicep.resources.get("deployerWritesJar").condition()).isEqualTo("!empty(deployerPrincipalId)");

    // The custom roles: exactly these actions, no wildcard, no data action, assignable in this group only.
    Map<String, List<String>> custom = new LinkedHashMap<>();
    bicep.resources.values().stream().filter(resource -> resource.type().equals("Microsoft.Authorization/roleDefinitions"))
        .forEach(resource -> custom.put(resource.symbol(), all(resource.body(), "'(Microsoft\\.[^']+)'")));
    assertThat(custom).containsExactlyInAnyOrderEntriesOf(CUSTOM_ROLES);
    for (String role : CUSTOM_ROLES.keySet()) {
      String body = bicep.resources.get(role).body();
      assertThat(body).as(role).contains("type: 'CustomRole'").contains("notActions: []")
          .doesNotContain("dataActions").doesNotContain("*")
          .containsPattern("assignableScopes: \\[\\s*resourceGroup\\(\\)\\.id\\s*\\]")
          // Role names are unique in the tenant: one per subscription and group.
          .contains("${subscription().subscriptionId}/${resourceGroup().name}");
    }
  }

  @Test
  void nothingLetsAConnectionInToTheWorkers() {
    Resource nsg = bicep.resources.get("workerNsg");
    List<String> rules = objects(nsg.body(), "direction:");
    assertThat(rules).hasSize(1);
    String rule = rules.get(0);
    assertThat(rule).contains("direction: 'Inbound'").contains("access: 'Deny'").contains("priority: 4096")
        .contains("sourceAddressPrefix: '*'").contains("destinationPortRange: '*'").contains("protocol: '*'");
    assertThat(text).doesNotContainPattern("access: 'Allow'");
    // The subnet carries the group and reaches out through the NAT gateway, the only public address.
    Resource vnet = bicep.resources.get("vnet");
    assertThat(vnet.body()).contains("id: workerNsg.id").contains("id: natGateway.id")
        .contains("defaultOutboundAccess: false");
    assertThat(all(text, "(\\w+)\\.id\\b").stream().filter(symbol -> symbol.equals("natAddress")))
        .as("the public address is the NAT gateway's alone").hasSize(1);
    assertThat(bicep.resources.get("natGateway").body()).contains("id: natAddress.id");
    Resource scaleSet = bicep.resources.get("scaleSet");
    assertThat(scaleSet.body()).doesNotContain("publicIPAddressConfiguration").doesNotContain("networkSecurityGroup")
        .doesNotContain("loadBalancer").contains("id: workerSubnet.id")
        .contains("capacity: 0").contains("'${workerIdentity.id}': {}")
        .contains("disablePasswordAuthentication: true");
  }

  @Test
  void theScaleSetIsOneTheProviderAgreesToChangeAndCarriesNoBootScriptOfItsOwn() {
    String scaleSet = bicep.resources.get("scaleSet").body();
    // VmssProvider refuses a scale set without its pool tag, not Flexible, or whose upgrade policy
    // would roll the custom data it writes out to running workers (by reimaging them).
    assertThat(scaleSet).containsPattern("(?m)^  tags: \\{\\s*'" + Pattern.quote(VmssProvider.POOL_TAG)
        + "': poolName\\s*\\}");
    assertThat(bicep.params.get("poolName").defaultValue()).isNotBlank();
    assertThat(text).containsPattern("@minLength\\(1\\)\\s*\\n(?:@[^\\n]*\\n)*param poolName ");
    assertThat(scaleSet).contains("orchestrationMode: '" + OrchestrationMode.FLEXIBLE + "'")
        .containsPattern("\\n    upgradePolicy: \\{\\s*mode: '" + UpgradeMode.MANUAL + "'\\s*\\}");
    // The provider writes the workers' boot script (its CustomDataScript, made from the Function's
    // settings) into the scale set's model at every launch: custom data here would be a second
    // source of truth, outdated by the first launch and overwritten by it. So the template sets
    // none, and has no cloud-init of its own.
    assertThat(scaleSet).doesNotContain("customData").doesNotContain("userData");
    assertThat(text).doesNotContain("loadTextContent").doesNotContain("cloud-init.yaml");
    assertThat(dir.resolve("worker-cloud-init.yaml")).doesNotExist();
  }

  @Test
  void queuesAndStorageAreClosedToAnonymousAndKeyAccess() {
    assertThat(bicep.resources.get("serviceBus").body()).contains("disableLocalAuth: true");
    assertThat(bicep.resources.get("taskQueue").body()).contains("deadLetteringOnMessageExpiration: true")
        .contains("maxDeliveryCount: maxDeliveryCount").contains("lockDuration: taskLockDuration")
        .contains("requiresSession: false");
    for (String account : List.of("workerStorage", "functionStorage")) {
      assertThat(bicep.resources.get(account).body()).as(account).contains("allowBlobPublicAccess: false")
          .contains("allowSharedKeyAccess: false").contains("minimumTlsVersion: 'TLS1_2'");
    }
    for (String container : List.of("jarContainer", "packageContainer", "heartbeatContainer", "payloadContainer")) {
      assertThat(bicep.resources.get(container).body()).as(container).contains("publicAccess: 'None'");
    }
  }

  @Test
  void theVmOnlyQueueIsTheTaskQueuesTwinWhichTheVmsServeTheDispatcherCountsAndTheBurstCannotReach() {
    // The same lock, deliveries, expiry and dead-lettering as the task queue: VM workers treat both alike.
    Resource vmQueue = bicep.resources.get("vmQueue");
    Resource taskQueue = bicep.resources.get("taskQueue");
    assertThat(vmQueue).as("a resource vmQueue").isNotNull();
    assertThat(vmQueue.type()).isEqualTo(taskQueue.type());
    assertThat(vmQueue.body()).contains("parent: serviceBus").contains("name: vmQueueName")
        .isEqualTo(taskQueue.body().replace("name: taskQueueName", "name: vmQueueName"));
    assertThat(unquote(bicep.params.get("vmQueueName").defaultValue()))
        .isNotEqualTo(unquote(bicep.params.get("taskQueueName").defaultValue()));

    // Roles on it: the VMs receive and settle there, the dispatcher reads its depth, as on the task
    // queue; the burst app has none (the client's Data Owner is the namespace's, its parent).
    Set<String> grants = grants();
    assertThat(grants.stream().filter(grant -> grant.endsWith(" on vmQueue"))).containsExactlyInAnyOrder(
        "workerIdentity <- serviceBusDataReceiverRole on vmQueue",
        "functionApp <- serviceBusDataOwnerRole on vmQueue");
    assertThat(grants.stream().filter(grant -> grant.endsWith(" on vmQueue")).map(grant -> grant.replace("vmQueue",
        "taskQueue"))).allMatch(grants::contains);
    assertThat(grants).noneMatch(grant -> grant.startsWith("burstApp <- ") && grant.endsWith(" on vmQueue"))
        .contains("clientPrincipalId <- serviceBusDataOwnerRole on serviceBus");
    // The burst app is told nothing of it: its trigger and its transport know the task queue alone.
    String burstApp = bicep.resources.get("burstApp").body();
    assertThat(burstApp).doesNotContain("vmQueue").doesNotContain(FunctionSettings.VM_QUEUE);
    assertThat(appSettings("burstApp")).doesNotContainKey(FunctionSettings.VM_QUEUE)
        .containsEntry(WorkerFunctionSettings.TASK_QUEUE_NAME, "taskQueueName");

    // The dispatcher gets its address (as the task queue's: a name would need Manage to look up on
    // the workers, who are told it), and the client its name and address.
    assertThat(appSettings("functionApp")).containsEntry(FunctionSettings.VM_QUEUE, "vmQueueAddress");
    assertThat(bicep.vars.get("vmQueueAddress")).isEqualTo("'sb://${serviceBusFqdn}/${vmQueueName}'");
    assertThat(bicep.outputs).containsEntry("vmQueueName", "vmQueue.name")
        .containsEntry("vmQueueAddress", "vmQueueAddress");
  }

  @Test
  void theFunctionGetsEverySettingTheCodeReadsAndRunsOnOneInstanceWithItsOwnIdentity() throws IOException {
    Resource function = bicep.resources.get("functionApp");
    Map<String, String> settings = appSettings("functionApp");
    Set<String> shoal = new TreeSet<>();
    settings.keySet().stream().filter(name -> name.startsWith("SHOAL_")).forEach(shoal::add);
    Set<String> expected = new TreeSet<>(FunctionSettings.VARIABLES);
    expected.add(FunctionSettings.TRANSPORT_SETTING_PREFIX + "servicebus__namespace");
    // The package's disabled worker function's trigger expression, resolved when the host indexes it.
    expected.add(WorkerFunctionSettings.TASK_QUEUE_NAME);
    assertThat(shoal).isEqualTo(expected);
    Set<String> burstShoal = new TreeSet<>();
    appSettings("burstApp").keySet().stream().filter(name -> name.startsWith("SHOAL_")).forEach(burstShoal::add);

    // And the code names no variable outside that list.
    Set<String> named = new TreeSet<>();
    Pattern literal = Pattern.compile("\"(SHOAL_[A-Z0-9_]+)\"");
    Path sources = dir.resolve("../../azure-dispatcher/src/main/java").normalize();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path source : files.filter(path -> path.toString().endsWith(".java")).toList()) {
        Matcher matcher = literal.matcher(Files.readString(source));
        while (matcher.find()) {
          named.add(matcher.group(1));
        }
      }
    }
    // (Read by one of the two apps; a connection's name is the prefix of its settings.)
    assertThat(named).isNotEmpty().allMatch(name -> shoal.contains(name) || burstShoal.contains(name)
        || burstShoal.stream().anyMatch(set -> set.startsWith(name + "__"))
        || name.equals(FunctionSettings.TRANSPORT_SETTING_PREFIX));

    // The values the dispatcher writes into the workers' boot script, and the queue's lock as the lease.
    // An address: a worker given a name would look it up with a right it does not have (Manage).
    assertThat(settings.get("SHOAL_TASK_QUEUE")).isEqualTo("taskQueueAddress");
    assertThat(bicep.vars.get("taskQueueAddress")).isEqualTo("'sb://${serviceBusFqdn}/${taskQueueName}'");
    assertThat(settings.get("SHOAL_TRANSPORT_SETTING_servicebus__namespace")).isEqualTo("serviceBusFqdn");
    assertThat(settings.get("SHOAL_WORKER_LEASE")).isEqualTo("taskLockDuration");
    assertThat(settings.get("SHOAL_WORKER_MAX_DELIVERIES")).isEqualTo("string(workerMaxDeliveries)");
    assertThat(settings.get("SHOAL_SCALE_SET_ID")).isEqualTo("scaleSet.id");
    assertThat(settings.get(FunctionSettings.HEARTBEAT_CONTAINER_URL)).isEqualTo("heartbeatContainerUrl");
    assertThat(settings.get(PoolSettings.WORKER_PAYLOAD_STORE)).isEqualTo("payloadStoreUri");
    assertThat(settings.get("FUNCTIONS_WORKER_RUNTIME")).isEqualTo("'java'");
    assertThat(settings.get("FUNCTIONS_EXTENSION_VERSION")).isEqualTo("'~4'");
    assertThat(settings.get("AzureWebJobsStorage__accountName")).isEqualTo("functionStorage.name");
    assertThat(settings.get("WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID")).isEqualTo("'SystemAssigned'");
    assertThat(settings).doesNotContainKey("AzureWebJobsStorage");
    // The package is the layout the build assembles, zipped under its folder's name.
    String layout = Path.of(System.getProperty("shoal.functions.layout")).getFileName().toString();
    assertThat(unquote(bicep.vars.get("functionPackageName"))).isEqualTo(layout + ".zip");

    assertThat(function.body()).contains("type: 'SystemAssigned'").contains("httpsOnly: true")
        .contains("functionAppScaleLimit: 1").contains("linuxFxVersion: 'Java|${functionJavaVersion}'");
    assertThat(bicep.resources.get("plan").body()).contains("name: 'Y1'").contains("reserved: true");
  }

  @Test
  void theBurstAppRunsOnlyTheWorkerFunctionStartsOffAndGetsEverySettingItReads() throws IOException {
    Map<String, String> burst = appSettings("burstApp");
    String disabled = dev.shoal.azure.functions.FunctionBurstSwitch.disabledSetting(WorkerFunctions.WORK);
    assertThat(unquote(bicep.vars.get("burstFunctionName"))).isEqualTo(WorkerFunctions.WORK);
    // Deployed off; the dispatcher's functions never run there, and the worker function never in the dispatcher's app.
    assertThat(burst).containsEntry(disabled, "'true'")
        .containsEntry("AzureWebJobs." + DispatcherFunctions.TICK + ".Disabled", "'true'")
        .containsEntry("AzureWebJobs." + DispatcherFunctions.NUDGE + ".Disabled", "'true'");
    Map<String, String> dispatcher = appSettings("functionApp");
    assertThat(dispatcher).containsEntry(disabled, "'true'")
        .containsEntry(FunctionSettings.BURST_FUNCTION_APP_ID, "burstApp.id")
        .containsEntry(FunctionSettings.BURST_FUNCTION, "burstFunctionName");

    // Every variable the worker function and its trigger read, with the values the VM workers get.
    Set<String> expected = new TreeSet<>(WorkerFunctionSettings.VARIABLES);
    expected.add(FunctionSettings.TRANSPORT_SETTING_PREFIX + "servicebus__namespace");
    Set<String> read = new TreeSet<>(burst.keySet());
    read.retainAll(expected);
    assertThat(read).isEqualTo(expected);
    assertThat(burst.get(FunctionSettings.TASK_QUEUE)).isEqualTo("taskQueueAddress");
    assertThat(burst.get(WorkerFunctionSettings.TASK_QUEUE_NAME)).isEqualTo("taskQueueName");
    assertThat(burst.get(WorkerFunctionSettings.CONNECTION + "__fullyQualifiedNamespace")).isEqualTo("serviceBusFqdn");
    assertThat(burst.get(PoolSettings.SLOTS_PER_WORKER)).isEqualTo(dispatcher.get(PoolSettings.SLOTS_PER_WORKER));
    assertThat(burst.get(PoolSettings.WORKER_MAX_DELIVERIES))
        .isEqualTo(dispatcher.get(PoolSettings.WORKER_MAX_DELIVERIES));
    assertThat(burst.get(PoolSettings.WORKER_PAYLOAD_STORE)).isEqualTo("payloadStoreUri");
    assertThat(burst.get("WEBSITE_RUN_FROM_PACKAGE")).isEqualTo(dispatcher.get("WEBSITE_RUN_FROM_PACKAGE"));

    // A batch may run as long as the host renews its locks, and no longer than Consumption allows.
    Duration timeout = WorkerFunctionSettings.timeSpan(unquote(bicep.vars.get("burstFunctionTimeout")));
    assertThat(burst.get(WorkerFunctionSettings.FUNCTION_TIMEOUT)).isEqualTo("burstFunctionTimeout");
    Path hostJson = Path.of(System.getProperty("shoal.functions.layout")).resolve("host.json");
    Duration renewal = WorkerFunctionSettings.timeSpan(new ObjectMapper().readTree(hostJson.toFile())
        .path("extensions").path("serviceBus").path("maxAutoLockRenewalDuration").asText());
    assertThat(timeout).isLessThanOrEqualTo(renewal).isLessThanOrEqualTo(Duration.ofMinutes(10));

    // Its own plan and identity, scaling out (the dispatcher's app is held to one instance).
    assertThat(bicep.resources.get("burstApp").body()).contains("serverFarmId: burstPlan.id")
        .contains("type: 'SystemAssigned'").contains("functionAppScaleLimit: burstMaxInstances")
        .doesNotContain("functionAppScaleLimit: 1");
    assertThat(bicep.resources.get("burstPlan").body()).contains("name: 'Y1'").contains("reserved: true");
    assertThat(bicep.outputs).containsKeys("burstAppName", "burstAppId");
  }

  /** The app settings of a site, by name, with their values as written. */
  private static Map<String, String> appSettings(String site) {
    Map<String, String> settings = new LinkedHashMap<>();
    Matcher setting = Pattern.compile("name: '([^']+)'\\s*\\n\\s*value: ([^\\n]+)")
        .matcher(bicep.resources.get(site).body());
    while (setting.find()) {
      settings.put(setting.group(1), setting.group(2).trim());
    }
    return settings;
  }

  @Test
  void theHeartbeatContainerUrlNamesTheContainerTheRolesAreOn() {
    // The URL is the workers' account's blob endpoint (which ends in a slash) and the container's
    // name: the form the provider gives Blob storage's client, which must find that container in it.
    assertThat(bicep.vars.get("heartbeatContainerUrl"))
        .isEqualTo("'${workerStorage.properties.primaryEndpoints.blob}${heartbeatContainerName}'");
    Resource container = bicep.resources.get("heartbeatContainer");
    assertThat(container.body()).contains("parent: workerBlobs").contains("name: heartbeatContainerName");
    String name = unquote(bicep.vars.get("heartbeatContainerName"));
    String url = "https://shoaljarx.blob.core.windows.net/" + name;
    BlobContainerClient client = new BlobContainerClientBuilder().endpoint(url).buildClient();
    assertThat(client.getBlobContainerName()).isEqualTo(name);
    assertThat(client.getAccountName()).isEqualTo("shoaljarx");
    assertThat(bicep.outputs.get("heartbeatContainerUrl")).isEqualTo("heartbeatContainerUrl");
  }

  @Test
  void thePayloadStoreUriIsTheRootBlobPayloadStoreTakesForThePayloadContainer() {
    // The workers' account's blob endpoint (https://<account>.blob.core.windows.net/) made a host,
    // and the container: the azblob:// root the clients and the workers' --payload-store share.
    assertThat(bicep.vars.get("workerBlobHost"))
        .isEqualTo("replace(replace(workerStorage.properties.primaryEndpoints.blob, 'https://', ''), '/', '')");
    assertThat(bicep.vars.get("payloadStoreUri")).isEqualTo("'azblob://${workerBlobHost}/${payloadContainerName}'");
    String endpoint = "https://shoaljarx.blob.core.windows.net/";
    String host = endpoint.replace("https://", "").replace("/", "");
    String name = unquote(bicep.vars.get("payloadContainerName"));
    URI root = URI.create("azblob://" + host + "/" + name);
    BlobPayloadStore store = new BlobPayloadStore(new BlobServiceClientBuilder().endpoint(endpoint)
        .buildAsyncClient(), root);
    assertThat(store.toString()).contains("azblob://shoaljarx.blob.core.windows.net/" + name + "/");
    Resource container = bicep.resources.get("payloadContainer");
    assertThat(container.body()).contains("parent: workerBlobs").contains("name: payloadContainerName");
    assertThat(bicep.outputs.get("payloadStoreUri")).isEqualTo("payloadStoreUri");
  }

  @Test
  void payloadsACrashedClientLeftBehindAreDeletedAfterSevenDaysAndNothingElseIs() {
    Resource policy = bicep.resources.get("payloadExpiry");
    assertThat(policy.type()).isEqualTo("Microsoft.Storage/storageAccounts/managementPolicies");
    // An account has one management policy, named 'default'; it lives on the workers' account.
    assertThat(policy.body()).contains("parent: workerStorage").contains("name: 'default'");
    List<String> rules = objects(policy.body(), "definition:");
    assertThat(rules).hasSize(1);
    assertThat(policy.body()).contains("enabled: true").contains("type: 'Lifecycle'")
        .containsPattern("blobTypes: \\[\\s*'blockBlob'\\s*\\]")
        // A prefix match starts with the container's name: the payload container, and nothing else.
        .containsPattern("prefixMatch: \\[\\s*'\\$\\{payloadContainerName\\}/'\\s*\\]")
        .containsPattern("delete: \\{\\s*daysAfterModificationGreaterThan: 7\\s*\\}");
    assertThat(unquote(bicep.vars.get("payloadContainerName"))).isEqualTo("payloads");
    assertThat(bicep.resources.values().stream()
        .filter(resource -> resource.type().endsWith("/managementPolicies"))).hasSize(1);
  }

  @Test
  void theOutputsTheClientAndTheDeployStepsReadExist() throws IOException {
    assertThat(bicep.outputs.keySet()).contains("serviceBusNamespace", "taskQueueName", "taskQueueAddress",
        "vmQueueName", "vmQueueAddress", "nudgeUrl",
        "functionAppName", "scaleSetName", "workerJarContainerUrl", "heartbeatContainerUrl", "payloadStoreUri");
    String readme = Files.readString(dir.resolve("README.md"));
    Set<String> read = new TreeSet<>(all(readme, "\\$\\(out (\\w+)\\)"));
    read.addAll(all(readme, "// output (\\w+)"));
    assertThat(read).as("outputs README reads").contains("nudgeUrl", "serviceBusNamespace", "taskQueueAddress",
            "vmQueueAddress")
        .allMatch(bicep.outputs::containsKey);
    // The nudge's URL is the HTTP trigger's route, under host.json's prefix.
    assertThat(bicep.outputs.get("nudgeUrl")).endsWith("/api/" + DispatcherFunctions.NUDGE + "'");
    Path hostJson = Path.of(System.getProperty("shoal.functions.layout")).resolve("host.json");
    assertThat(new ObjectMapper().readTree(hostJson.toFile()).path("extensions").path("http").path("routePrefix")
        .asText()).isEqualTo("api");
  }

  // ---------------------------------------------------------------- a reader of Bicep declarations

  record Param(String name, String type, String defaultValue) {}

  record Resource(String symbol, String type, String apiVersion, boolean existing, String condition, String body) {}

  /** A Bicep file's top-level declarations, found line by line once comments are gone. */
  static final class Bicep {
    final Map<String, Param> params = new LinkedHashMap<>();
    final Map<String, String> vars = new LinkedHashMap<>();
    final Map<String, Resource> resources = new LinkedHashMap<>();
    final Map<String, String> outputs = new LinkedHashMap<>();

    private static final Pattern PARAM = Pattern.compile("(?m)^param (\\w+) (\\w+)(?: = ([^\\n]+))?$");
    private static final Pattern VAR = Pattern.compile("(?m)^var (\\w+) = ");
    private static final Pattern RESOURCE = Pattern.compile(
        "(?m)^resource (\\w+) '([^'@]+)@([^']+)'( existing)? = (?:if \\((.*)\\) )?\\{");
    private static final Pattern OUTPUT = Pattern.compile("(?m)^output (\\w+) (\\w+) = ([^\\n]+)$");

    static Bicep parse(String source) {
      String code = withoutComments(source);
      Bicep bicep = new Bicep();
      Matcher param = PARAM.matcher(code);
      while (param.find()) {
        bicep.params.put(param.group(1), new Param(param.group(1), param.group(2),
            param.group(3) == null ? null : param.group(3).trim()));
      }
      Matcher var = VAR.matcher(code);
      while (var.find()) {
        int start = var.end();
        int end = code.charAt(start) == '{' ? closing(code, start) + 1 : code.indexOf('\n', start);
        bicep.vars.put(var.group(1), code.substring(start, end).trim());
      }
      Matcher resource = RESOURCE.matcher(code);
      while (resource.find()) {
        int open = resource.end() - 1;
        bicep.resources.put(resource.group(1), new Resource(resource.group(1), resource.group(2),
            resource.group(3), resource.group(4) != null, resource.group(5),
            code.substring(open, closing(code, open) + 1)));
      }
      Matcher output = OUTPUT.matcher(code);
      while (output.find()) {
        bicep.outputs.put(output.group(1), output.group(3).trim());
      }
      return bicep;
    }

    /** The source without // and /* comments, strings kept as they are. */
    static String withoutComments(String source) {
      StringBuilder out = new StringBuilder(source.length());
      boolean inString = false;
      for (int i = 0; i < source.length(); i++) {
        char c = source.charAt(i);
        if (inString) {
          out.append(c);
          if (c == '\\' && i + 1 < source.length()) {
            out.append(source.charAt(++i));
          } else if (c == '\'') {
            inString = false;
          }
        } else if (c == '\'') {
          inString = true;
          out.append(c);
        } else if (source.startsWith("//", i)) {
          while (i < source.length() && source.charAt(i) != '\n') {
            i++;
          }
          out.append('\n');
        } else if (source.startsWith("/*", i)) {
          i = source.indexOf("*/", i) + 1;
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }

    /** The index of the brace or bracket that closes the one at {@code open}, skipping strings. */
    static int closing(String code, int open) {
      int depth = 0;
      boolean inString = false;
      for (int i = open; i < code.length(); i++) {
        char c = code.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '\'') {
            inString = false;
          }
        } else if (c == '\'') {
          inString = true;
        } else if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) {
            return i;
          }
        }
      }
      throw new AssertionError("unbalanced braces from " + code.substring(open, Math.min(code.length(), open + 80)));
    }
  }

  /** The innermost objects ({...}) of {@code body} that contain {@code marker}. */
  private static List<String> objects(String body, String marker) {
    List<String> found = new ArrayList<>();
    int at = body.indexOf(marker);
    while (at >= 0) {
      int open = body.lastIndexOf('{', at);
      found.add(body.substring(open, Bicep.closing(body, open) + 1));
      at = body.indexOf(marker, at + 1);
    }
    return found;
  }

  private static String first(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    if (!matcher.find()) {
      return null;
    }
    for (int group = 1; group <= matcher.groupCount(); group++) {
      if (matcher.group(group) != null) {
        return matcher.group(group);
      }
    }
    return matcher.group();
  }

  private static List<String> all(String text, String regex) {
    List<String> found = new ArrayList<>();
    Matcher matcher = Pattern.compile(regex).matcher(text);
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }

  private static String unquote(String value) {
    assertThat(value).as("a quoted string").startsWith("'").endsWith("'");
    return value.substring(1, value.length() - 1);
  }
}
