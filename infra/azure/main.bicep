// Shoal on Azure: a task queue (Service Bus) and a VM-only queue beside it (the tasks of apps that
// may not run in a function, such as command apps), a pool of worker VMs that pull from both (a
// Flexible scale set with no inbound path), the dispatcher Function that sizes the pool from the
// queues' depth, the burst worker Function that takes the task queue's tasks (never the VM-only
// queue's) while VMs boot (an app of its own, off until the dispatcher turns it on), storage for the worker jar, the workers' heartbeats, large payloads (claim checks) and
// the Function's package, and
// least-privilege role assignments between them. The workers' boot script is not here: the
// dispatcher (VmssProvider) writes it into the scale set's model at every launch, from its app
// settings, so there is one source of it. Deploy steps: infra/azure/README.md. No Bicep compiler
// runs in the build: azure-dispatcher's BicepTest checks this file's structure against the code.

targetScope = 'resourceGroup'

// ---------------------------------------------------------------- parameters

@description('Where everything goes.')
param location string = resourceGroup().location

@minLength(3)
@maxLength(11)
@description('Starts every resource name; lower-case letters and digits (storage account names allow no more).')
param namePrefix string = 'shoal'

@allowed([
  'Standard'
  'Premium'
])
@description('Service Bus tier: Standard takes messages up to 256 KB; Premium up to 100 MB, at a fixed price.')
param serviceBusSku string = 'Standard'

@description('The task queue the client sends to and the workers receive from.')
param taskQueueName string = 'shoal-tasks'

@description('The VM-only queue: the client sends there the tasks of apps that may not run in the burst function (QueueExecutor.Builder.vmQueue), and only the VM workers receive from it.')
param vmQueueName string = 'shoal-vm-tasks'

@description('How long a worker holds a task message before Service Bus gives it to another (ISO-8601, at most PT5M); workers renew it while the task runs, and are told it as their lease.')
param taskLockDuration string = 'PT1M'

@minValue(1)
@maxValue(10)
@description('Deliveries of a task that crashed or hung its worker each time, after which the next worker dead-letters it as poison and tells its client.')
param workerMaxDeliveries int = 3

@minValue(2)
@maxValue(2000)
@description('The task queue\'s own dead-lettering after this many deliveries: a backstop only, so keep it above workerMaxDeliveries (a lower one moves a task away before the delivery on which a worker says it is poison, and its client waits for ever).')
param maxDeliveryCount int = workerMaxDeliveries + 2

@description('How long an unreceived task message lives before it is dead-lettered (ISO-8601).')
param taskMessageTimeToLive string = 'P14D'

@description('The workers\' VM size.')
param workerVmSize string = 'Standard_D2s_v5'

@description('The workers\' image: a Linux with cloud-init, curl, and Java 17 or apt, tdnf or dnf to install it (the dispatcher\'s boot script does).')
param workerImage object = {
  publisher: 'Canonical'
  offer: '0001-com-ubuntu-server-jammy'
  sku: '22_04-lts-gen2'
  version: 'latest'
}

@description('The VMs\' administrator; Azure requires one, and nothing can reach it (no inbound rule, no public IP).')
param adminUsername string = 'shoal'

@description('An SSH public key for the administrator (Azure requires a credential; password logins are off).')
param adminSshPublicKey string

@minLength(1)
@maxLength(256)
@description('The pool\'s name: the value of the scale set\'s tag shoal-pool, without which the dispatcher will not touch the set, and the name its logs give the pool.')
param poolName string = namePrefix

@description('The worker jar\'s blob name in the jar container.')
param workerJarName string = 'shoal-worker.jar'

@minValue(0)
param minWorkers int = 0

@minValue(1)
param maxWorkers int = 10

@minValue(1)
param slotsPerWorker int = 2

@description('Tasks (running or waiting) a slot may carry before more workers are wanted (a decimal number).')
param targetBacklogPerSlot string = '1'

@description('Tasks a queue message carries, when the client has recorded nothing on the queue and no nudge said (a decimal number).')
param tasksPerMessage string = '1'

@description('How long the queue must stay empty before the dispatcher says the pool may shrink (ISO-8601).')
param idleCoolDown string = 'PT5M'

@description('A worker that has not started polling this long after launch is deleted (ISO-8601).')
param pendingDeadline string = 'PT10M'

@description('A polling worker whose heartbeat is this old is deleted (ISO-8601); workers beat every fifth of it.')
param silenceLimit string = 'PT5M'

@description('A worker with nothing to do for this long exits, and its VM powers off (ISO-8601).')
param workerIdleTimeout string = 'PT5M'

@allowed([
  '17'
  '21'
])
@description('The Function\'s Java (the code is Java 17 bytecode).')
param functionJavaVersion string = '17'

@description('The object id of the client\'s identity (a user, group or service principal) to make Data Owner of the namespace and Blob Data Contributor of the payload container; empty: none.')
param clientPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param clientPrincipalType string = 'User'

@description('The object id of whoever uploads the worker jar and the Function\'s package (az ad signed-in-user show --query id), made Blob Data Contributor of those two containers; empty: none (the accounts take no keys, so an upload needs this role).')
param deployerPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param deployerPrincipalType string = 'User'

@description('The workers\' virtual network.')
param vnetAddressPrefix string = '10.42.0.0/16'

@description('The workers\' subnet, within the network.')
param workerSubnetPrefix string = '10.42.0.0/20'

@minValue(1)
@maxValue(100)
@description('Instances the burst worker Function may scale out to while VMs boot (its app\'s functionAppScaleLimit); each runs SHOAL_SLOTS_PER_WORKER tasks at once.')
param burstMaxInstances int = 10

// ---------------------------------------------------------------- names and built-in roles

var suffix = uniqueString(resourceGroup().id)
var serviceBusName = '${namePrefix}-${suffix}'
var workerStorageName = take('${namePrefix}jar${suffix}', 24)
var functionStorageName = take('${namePrefix}fn${suffix}', 24)
var functionAppName = '${namePrefix}-dispatcher-${suffix}'
// The burst workers' app: the same package as the dispatcher's, running only its worker function.
// An app of its own, because the dispatcher turns it on and off by writing its settings, and Azure
// restarts an app whose settings change: the dispatcher's own app must not restart under it, nor
// be held to one instance with it (functionAppScaleLimit 1).
var burstAppName = '${namePrefix}-burst-${suffix}'
// The worker function's @FunctionName (WorkerFunctions.WORK), which the setting
// AzureWebJobs.<name>.Disabled turns off; the settings below spell it out, for BicepTest to read.
var burstFunctionName = 'work'
// The Consumption plan's longest: a batch may run this long, its locks renewed by the host as long
// (host.json's maxAutoLockRenewalDuration), before the host abandons it. host.json's own timeout
// (two minutes) is the dispatcher's.
var burstFunctionTimeout = '00:10:00'
var scaleSetName = '${namePrefix}-workers'
var workerSubnetName = 'workers'
var jarContainerName = 'worker'
var heartbeatContainerName = 'heartbeats'
var payloadContainerName = 'payloads'
var packageContainerName = 'function-package'
var functionPackageName = 'shoal-dispatcher.zip'

// Built-in role definitions (their ids are the same in every tenant).
var serviceBusDataReceiverRole = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
var serviceBusDataSenderRole = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
var serviceBusDataOwnerRole = '090c5cfd-751d-490a-894a-3ce6f1109419'
var storageBlobDataReaderRole = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
var storageBlobDataOwnerRole = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageBlobDataContributorRole = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var managedIdentityOperatorRole = 'f1a07417-d97a-45cb-824c-7a7467783830'

// The host name alone (the endpoint is https://<name>:443/), as the transport takes it.
var serviceBusFqdn = split(replace(serviceBus.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
// The task queue's address, not its name: a queue is looked up by name through the administration
// API, which needs the Manage right, and the workers are given Data Receiver and Sender only.
var taskQueueAddress = 'sb://${serviceBusFqdn}/${taskQueueName}'
// The VM-only queue's address, for the same reason: the workers have the same two rights on it.
var vmQueueAddress = 'sb://${serviceBusFqdn}/${vmQueueName}'
var workerJarContainerUrl = '${workerStorage.properties.primaryEndpoints.blob}${jarContainerName}'
var workerJarUrl = '${workerJarContainerUrl}/${workerJarName}'
// https://<account>.blob.core.windows.net/heartbeats, no trailing slash: the form VmssProvider takes.
var heartbeatContainerUrl = '${workerStorage.properties.primaryEndpoints.blob}${heartbeatContainerName}'
// The workers' account's blob host (the endpoint is https://<account>.blob.core.windows.net/).
var workerBlobHost = replace(replace(workerStorage.properties.primaryEndpoints.blob, 'https://', ''), '/', '')
// azblob://<account>.blob.core.windows.net/payloads: the root BlobPayloadStore takes, the clients'
// and the workers' alike.
var payloadStoreUri = 'azblob://${workerBlobHost}/${payloadContainerName}'

// ---------------------------------------------------------------- monitoring

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs-${suffix}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-insights-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

// ---------------------------------------------------------------- the task queue

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: serviceBusName
  location: location
  sku: {
    name: serviceBusSku
    tier: serviceBusSku
  }
  properties: {
    // Microsoft Entra only: no shared access keys exist to leak.
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource taskQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: serviceBus
  name: taskQueueName
  properties: {
    lockDuration: taskLockDuration
    maxDeliveryCount: maxDeliveryCount
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: taskMessageTimeToLive
    requiresSession: false
  }
}

// The tasks the burst function must not take (command apps, walltimes past its timeout): a queue of
// their own rather than a filter, because a function that handed a task back to the queue it reads
// would meet it again, spending a delivery each time, until it was dead-lettered as poison. The
// same lock, deliveries and dead-lettering as the task queue: VM workers treat both alike.
resource vmQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: serviceBus
  name: vmQueueName
  properties: {
    lockDuration: taskLockDuration
    maxDeliveryCount: maxDeliveryCount
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: taskMessageTimeToLive
    requiresSession: false
  }
}

// ---------------------------------------------------------------- storage

// The worker jar and the workers' heartbeats, both reached with identities only: no anonymous
// access, no keys.
resource workerStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: workerStorageName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource workerBlobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: workerStorage
  name: 'default'
}

resource jarContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: workerBlobs
  name: jarContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Each worker rewrites an empty blob ready/<scale set>/<VM name> here while it makes progress; the
// dispatcher lists them (a VM is running once its blob exists, silent once it is old) and deletes
// those of VMs that are gone.
resource heartbeatContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: workerBlobs
  name: heartbeatContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Claim checks: a client puts an argument too large for a message here and sends its reference;
// a worker reads it and puts a result too large for a reply here. Clients delete what they are
// done with; what a crashed client leaves behind is deleted by the policy below.
resource payloadContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: workerBlobs
  name: payloadContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Payloads are needed for a run's length; after 7 days any left are a crashed client's litter.
// Only the payload container: the jar and the heartbeats are kept (the dispatcher prunes those).
resource payloadExpiry 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: workerStorage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-payloads'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${payloadContainerName}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: 7
                }
              }
            }
          }
        }
      ]
    }
  }
}

// The Function host's own storage (timer locks, keys) and its package; apart from the jar, so that
// the Function's owner rights there reach nothing the workers run.
resource functionStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: functionStorageName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource functionBlobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: functionStorage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: functionBlobs
  name: packageContainerName
  properties: {
    publicAccess: 'None'
  }
}

// ---------------------------------------------------------------- the workers' network: no way in

resource workerNsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: '${namePrefix}-workers-nsg'
  location: location
  properties: {
    securityRules: [
      {
        // Above Azure's default rules (which let the virtual network and the load balancer in).
        name: 'deny-all-inbound'
        properties: {
          priority: 4096
          direction: 'Inbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: '*'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '*'
        }
      }
    ]
  }
}

// Outbound only (Service Bus, Blob storage, the image's package mirror): the one public address is
// the NAT gateway's, which takes no connection in. The VMs have none.
resource natAddress 'Microsoft.Network/publicIPAddresses@2024-05-01' = {
  name: '${namePrefix}-workers-egress'
  location: location
  sku: {
    name: 'Standard'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
  }
}

resource natGateway 'Microsoft.Network/natGateways@2024-05-01' = {
  name: '${namePrefix}-workers-nat'
  location: location
  sku: {
    name: 'Standard'
  }
  properties: {
    publicIpAddresses: [
      {
        id: natAddress.id
      }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: '${namePrefix}-vnet'
  location: location
  properties: {
    addressSpace: {
      addressPrefixes: [
        vnetAddressPrefix
      ]
    }
    subnets: [
      {
        name: workerSubnetName
        properties: {
          addressPrefix: workerSubnetPrefix
          networkSecurityGroup: {
            id: workerNsg.id
          }
          natGateway: {
            id: natGateway.id
          }
          defaultOutboundAccess: false
        }
      }
    ]
  }
}

resource workerSubnet 'Microsoft.Network/virtualNetworks/subnets@2024-05-01' existing = {
  parent: vnet
  name: workerSubnetName
}

// ---------------------------------------------------------------- the workers

// One identity for every worker VM, made before any VM, so that its roles are in place at first boot.
resource workerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-worker'
  location: location
}

// The pool. VmssProvider refuses a scale set that lacks the tag shoal-pool, is not Flexible, or
// would roll a model change out to running VMs: each launch writes the workers' boot script into
// the model as custom data, which under an Automatic or Rolling policy would reimage busy workers.
resource scaleSet 'Microsoft.Compute/virtualMachineScaleSets@2024-07-01' = {
  name: scaleSetName
  location: location
  tags: {
    'shoal-pool': poolName
  }
  // Empty until the dispatcher grows it; only the dispatcher changes it. A redeployment sets it
  // back to 0, which deletes every worker: redeploy while the pool is empty (README).
  sku: {
    name: workerVmSize
    capacity: 0
  }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${workerIdentity.id}': {}
    }
  }
  properties: {
    orchestrationMode: 'Flexible'
    platformFaultDomainCount: 1
    singlePlacementGroup: false
    upgradePolicy: {
      mode: 'Manual'
    }
    virtualMachineProfile: {
      // No customData: the dispatcher writes the workers' boot script (fetch the jar, run the
      // worker, power off) into this profile with every launch, from its own settings; a second
      // copy here would only drift from it. Custom data is optional, and no VM exists before the
      // first launch.
      osProfile: {
        computerNamePrefix: 'shoal'
        adminUsername: adminUsername
        linuxConfiguration: {
          disablePasswordAuthentication: true
          ssh: {
            publicKeys: [
              {
                path: '/home/${adminUsername}/.ssh/authorized_keys'
                keyData: adminSshPublicKey
              }
            ]
          }
        }
      }
      storageProfile: {
        imageReference: workerImage
        osDisk: {
          createOption: 'FromImage'
          deleteOption: 'Delete'
          managedDisk: {
            storageAccountType: 'StandardSSD_LRS'
          }
        }
      }
      networkProfile: {
        networkApiVersion: '2020-11-01'
        networkInterfaceConfigurations: [
          {
            name: 'worker-nic'
            properties: {
              primary: true
              deleteOption: 'Delete'
              // No publicIPAddressConfiguration: a worker has no address outside the network.
              ipConfigurations: [
                {
                  name: 'worker-ip'
                  properties: {
                    subnet: {
                      id: workerSubnet.id
                    }
                  }
                }
              ]
            }
          }
        ]
      }
      // The serial log keeps the boot script's output (through cloud-init) after a failed boot.
      diagnosticsProfile: {
        bootDiagnostics: {
          enabled: true
        }
      }
    }
  }
}

// ---------------------------------------------------------------- the dispatcher Function

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${namePrefix}-dispatcher-plan'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'Y1'
    tier: 'Dynamic'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Java|${functionJavaVersion}'
      // One instance: the timer and the nudges share one warm step and are serialized, as the
      // Lambda's reserved concurrency of 1 does (two instances could both launch for one burst).
      functionAppScaleLimit: 1
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        {
          name: 'FUNCTIONS_EXTENSION_VERSION'
          value: '~4'
        }
        {
          name: 'FUNCTIONS_WORKER_RUNTIME'
          value: 'java'
        }
        {
          // The host's storage through the Function's identity: no connection string.
          name: 'AzureWebJobsStorage__accountName'
          value: functionStorage.name
        }
        {
          // The package the build assembles, uploaded by README's deploy step, fetched with the identity.
          name: 'WEBSITE_RUN_FROM_PACKAGE'
          value: '${functionStorage.properties.primaryEndpoints.blob}${packageContainerName}/${functionPackageName}'
        }
        {
          name: 'WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID'
          value: 'SystemAssigned'
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: insights.properties.ConnectionString
        }
        {
          name: 'SHOAL_TASK_QUEUE'
          value: taskQueueAddress
        }
        {
          // Its depth is the VMs' demand too, never the burst's; the workers are told it as --vm-queue.
          name: 'SHOAL_VM_QUEUE'
          value: vmQueueAddress
        }
        {
          // The servicebus transport's setting "servicebus.namespace" ("__" for "."), as workers get it with --setting.
          name: 'SHOAL_TRANSPORT_SETTING_servicebus__namespace'
          value: serviceBusFqdn
        }
        {
          name: 'SHOAL_SCALE_SET_ID'
          value: scaleSet.id
        }
        {
          name: 'SHOAL_WORKER_JAR_URL'
          value: workerJarUrl
        }
        {
          name: 'SHOAL_WORKER_IDENTITY_CLIENT_ID'
          value: workerIdentity.properties.clientId
        }
        {
          // Where workers beat (the boot script tells each its blob) and the dispatcher looks.
          name: 'SHOAL_HEARTBEAT_CONTAINER_URL'
          value: heartbeatContainerUrl
        }
        {
          name: 'SHOAL_MIN_WORKERS'
          value: string(minWorkers)
        }
        {
          name: 'SHOAL_MAX_WORKERS'
          value: string(maxWorkers)
        }
        {
          name: 'SHOAL_SLOTS_PER_WORKER'
          value: string(slotsPerWorker)
        }
        {
          name: 'SHOAL_TARGET_BACKLOG_PER_SLOT'
          value: targetBacklogPerSlot
        }
        {
          name: 'SHOAL_TASKS_PER_MESSAGE'
          value: tasksPerMessage
        }
        {
          name: 'SHOAL_IDLE_COOLDOWN'
          value: idleCoolDown
        }
        {
          name: 'SHOAL_PENDING_DEADLINE'
          value: pendingDeadline
        }
        {
          name: 'SHOAL_SILENCE_LIMIT'
          value: silenceLimit
        }
        {
          name: 'SHOAL_WORKER_IDLE_TIMEOUT'
          value: workerIdleTimeout
        }
        {
          name: 'SHOAL_WORKER_LEASE'
          value: taskLockDuration
        }
        {
          name: 'SHOAL_WORKER_MAX_DELIVERIES'
          value: string(workerMaxDeliveries)
        }
        {
          // The workers' --payload-store: where they read large arguments and write large results.
          name: 'SHOAL_WORKER_PAYLOAD_STORE'
          value: payloadStoreUri
        }
        {
          // The burst: the dispatcher turns the worker function of this app on and off (its setting
          // AzureWebJobs.work.Disabled), through ARM with the burst switch role below.
          name: 'SHOAL_BURST_FUNCTION_APP_ID'
          value: burstApp.id
        }
        {
          name: 'SHOAL_BURST_FUNCTION'
          value: burstFunctionName
        }
        {
          // The package holds the worker function too; it never runs here.
          name: 'AzureWebJobs.work.Disabled'
          value: 'true'
        }
        {
          // Only so that the disabled worker function's trigger expression resolves when the host indexes it.
          name: 'SHOAL_TASK_QUEUE_NAME'
          value: taskQueueName
        }
      ]
    }
  }
}

// ---------------------------------------------------------------- the burst worker Function

resource burstPlan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${namePrefix}-burst-plan'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'Y1'
    tier: 'Dynamic'
  }
  properties: {
    reserved: true
  }
}

// A Service Bus trigger on the task queue running the worker runtime's rules (WorkerFunctions), as
// many instances as the queue calls for up to burstMaxInstances, only while the dispatcher has it
// on. Deployed off: every deployment writes AzureWebJobs.work.Disabled back to true, and the
// dispatcher turns it on again at its next evaluation if a backlog waits for booting VMs.
resource burstApp 'Microsoft.Web/sites@2024-04-01' = {
  name: burstAppName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: burstPlan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Java|${functionJavaVersion}'
      functionAppScaleLimit: burstMaxInstances
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        {
          name: 'FUNCTIONS_EXTENSION_VERSION'
          value: '~4'
        }
        {
          name: 'FUNCTIONS_WORKER_RUNTIME'
          value: 'java'
        }
        {
          // The host's storage, shared with the dispatcher's app (each host keeps to its own host id).
          name: 'AzureWebJobsStorage__accountName'
          value: functionStorage.name
        }
        {
          // The dispatcher's package: one build, one upload, both apps.
          name: 'WEBSITE_RUN_FROM_PACKAGE'
          value: '${functionStorage.properties.primaryEndpoints.blob}${packageContainerName}/${functionPackageName}'
        }
        {
          name: 'WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID'
          value: 'SystemAssigned'
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: insights.properties.ConnectionString
        }
        {
          // Off until the dispatcher turns it on (FunctionBurstSwitch writes this setting).
          name: 'AzureWebJobs.work.Disabled'
          value: 'true'
        }
        {
          // The dispatcher's functions never run here.
          name: 'AzureWebJobs.tick.Disabled'
          value: 'true'
        }
        {
          name: 'AzureWebJobs.nudge.Disabled'
          value: 'true'
        }
        {
          name: 'AzureFunctionsJobHost__functionTimeout'
          value: burstFunctionTimeout
        }
        {
          // The trigger's queue (its queueName expression).
          name: 'SHOAL_TASK_QUEUE_NAME'
          value: taskQueueName
        }
        {
          // The trigger's connection SHOAL_SERVICEBUS: identity-based, with this app's identity.
          name: 'SHOAL_SERVICEBUS__fullyQualifiedNamespace'
          value: serviceBusFqdn
        }
        {
          name: 'SHOAL_TASK_QUEUE'
          value: taskQueueAddress
        }
        {
          name: 'SHOAL_TRANSPORT_SETTING_servicebus__namespace'
          value: serviceBusFqdn
        }
        {
          // What the VM workers are told, so that a task runs alike on both.
          name: 'SHOAL_SLOTS_PER_WORKER'
          value: string(slotsPerWorker)
        }
        {
          name: 'SHOAL_WORKER_MAX_DELIVERIES'
          value: string(workerMaxDeliveries)
        }
        {
          name: 'SHOAL_WORKER_PAYLOAD_STORE'
          value: payloadStoreUri
        }
      ]
    }
  }
}

// ---------------------------------------------------------------- roles: the workers

// Receive (and complete, abandon, dead-letter, renew) on the task queue only.
resource workerReceivesTasks 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskQueue.id, workerIdentity.id, serviceBusDataReceiverRole)
  scope: taskQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiverRole)
    principalId: workerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The same on the VM-only queue, which they serve beside the task queue (--vm-queue).
resource workerReceivesVmTasks 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vmQueue.id, workerIdentity.id, serviceBusDataReceiverRole)
  scope: vmQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiverRole)
    principalId: workerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Send: results go to reply queues that clients create per run, after this deployment, under
// names no role can be scoped to in advance, and a worker re-sends a redelivered bundle's tasks to
// the task queue one by one; so Sender on the namespace. Sending is all it allows.
resource workerSendsReplies 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus.id, workerIdentity.id, serviceBusDataSenderRole)
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRole)
    principalId: workerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Read the worker jar, in its container only.
resource workerReadsJar 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(jarContainer.id, workerIdentity.id, storageBlobDataReaderRole)
  scope: jarContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReaderRole)
    principalId: workerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Beat: rewrite its own heartbeat blob, in the heartbeat container only (the narrowest built-in
// role that may write a blob).
resource workerBeatsHeartbeat 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(heartbeatContainer.id, workerIdentity.id, storageBlobDataContributorRole)
  scope: heartbeatContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRole)
    principalId: workerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Payloads: read the large arguments clients put, write large results, in the payload container
// only. Contributor is the narrowest built-in role that may write a blob; workers never delete
// (BlobPayloadStore's delete is the client's), which the role cannot express.
resource workerUsesPayloads 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(payloadContainer.id, workerIdentity.id, storageBlobDataContributorRole)
  scope: payloadContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRole)
    principalId: workerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------- roles: the dispatcher Function

// The task queue's depth and its tasks-per-message record come from the Service Bus administration
// API, which needs the Manage right: Data Owner, on the task queue alone.
resource functionReadsQueueDepth 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskQueue.id, functionApp.id, serviceBusDataOwnerRole)
  scope: taskQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataOwnerRole)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The VM-only queue's depth and record are the VMs' demand too: the same right, on that queue alone.
resource functionReadsVmQueueDepth 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vmQueue.id, functionApp.id, serviceBusDataOwnerRole)
  scope: vmQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataOwnerRole)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The Functions host keeps its timer locks and keys in its own storage account.
resource functionOwnsHostStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(functionStorage.id, functionApp.id, storageBlobDataOwnerRole)
  scope: functionStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRole)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Only the dispatcher changes the scale set. VmssProvider reads it (the tag, the orchestration and
// upgrade mode, the capacity), grows it with a PATCH of its capacity and custom data, and deletes
// chosen VMs through its delete-instances action: those three actions, on this set alone (not
// Virtual Machine Contributor, which would also let it delete the set itself).
resource poolScalerRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'shoal-pool-scaler')
  properties: {
    roleName: 'Shoal pool scaler (${subscription().subscriptionId}/${resourceGroup().name})'
    description: 'Lets the Shoal dispatcher read its workers\' scale set, grow it, and delete chosen VMs of it, and nothing else.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Compute/virtualMachineScaleSets/read'
          'Microsoft.Compute/virtualMachineScaleSets/write'
          'Microsoft.Compute/virtualMachineScaleSets/delete/action'
        ]
        notActions: []
      }
    ]
  }
}

resource functionScalesWorkers 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scaleSet.id, functionApp.id, poolScalerRole.id)
  scope: scaleSet
  properties: {
    roleDefinitionId: poolScalerRole.id
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// A Flexible scale set's VMs are resources of the group, not of the set: VmssProvider lists them
// with their instance view in the group (filtered by the set) and reads one by name before
// deleting it. Reading VMs is all this allows; not Reader, which reads everything in the group.
resource workerListerRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'shoal-worker-lister')
  properties: {
    roleName: 'Shoal worker lister (${subscription().subscriptionId}/${resourceGroup().name})'
    description: 'Lets the Shoal dispatcher read the VMs of its resource group and their power state, and nothing else.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Compute/virtualMachines/read'
          'Microsoft.Compute/virtualMachines/instanceView/read'
        ]
        notActions: []
      }
    ]
  }
}

resource functionListsWorkers 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, functionApp.id, workerListerRole.id)
  properties: {
    roleDefinitionId: workerListerRole.id
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Growing a set whose VMs carry the workers' identity assigns that identity: on it alone.
resource functionAssignsWorkerIdentity 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workerIdentity.id, functionApp.id, managedIdentityOperatorRole)
  scope: workerIdentity
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', managedIdentityOperatorRole)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// New VMs join the workers' subnet: that one action, on that subnet (no built-in role is as narrow).
resource subnetJoinRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'shoal-subnet-join')
  properties: {
    roleName: 'Shoal workers subnet join (${subscription().subscriptionId}/${resourceGroup().name})'
    description: 'Lets the Shoal dispatcher place new worker VMs in the workers\' subnet, and nothing else.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Network/virtualNetworks/subnets/join/action'
        ]
        notActions: []
      }
    ]
  }
}

resource functionJoinsWorkerSubnet 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workerSubnet.id, functionApp.id, subnetJoinRole.id)
  scope: workerSubnet
  properties: {
    roleDefinitionId: subnetJoinRole.id
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The heartbeats: list them (a VM is running once its blob exists, silent once it is old) and
// delete those of VMs that are gone. Reader cannot delete; Contributor is the narrowest built-in
// role that can, and its write adds nothing to what the dispatcher can already do to the pool.
resource functionReadsHeartbeats 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(heartbeatContainer.id, functionApp.id, storageBlobDataContributorRole)
  scope: heartbeatContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRole)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The burst: read and write the burst app's settings (FunctionBurstSwitch: list, then PUT the whole
// set back), on that app alone. Not Website Contributor, which would also let it deploy code to it
// or delete it.
resource burstSwitchRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'shoal-burst-switch')
  properties: {
    roleName: 'Shoal burst switch (${subscription().subscriptionId}/${resourceGroup().name})'
    description: 'Lets the Shoal dispatcher read and write the app settings of its burst worker Function app, and nothing else.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Web/sites/config/list/action'
          'Microsoft.Web/sites/config/write'
        ]
        notActions: []
      }
    ]
  }
}

resource functionSwitchesBurst 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(burstApp.id, functionApp.id, burstSwitchRole.id)
  scope: burstApp
  properties: {
    roleDefinitionId: burstSwitchRole.id
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------- roles: the burst worker Function

// The trigger receives, renews and settles on the task queue; the platform's scaling reads the
// queue's message count, a Manage right: so Data Owner, on the task queue alone, as the dispatcher.
// Nothing on the VM-only queue: the burst must never receive the tasks sent there.
resource burstReceivesTasks 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskQueue.id, burstApp.id, serviceBusDataOwnerRole)
  scope: taskQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataOwnerRole)
    principalId: burstApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Results to the clients' reply queues and a redelivered bundle's tasks back to the task queue, as a VM worker sends.
// (Sending is all it allows, and reply queues have no names in advance; it could send to the
// VM-only queue too, which the worker rules never do: a split bundle goes back where it came from.)
resource burstSendsReplies 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus.id, burstApp.id, serviceBusDataSenderRole)
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRole)
    principalId: burstApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The host's storage (its locks and keys) and the package it runs from.
resource burstOwnsHostStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(functionStorage.id, burstApp.id, storageBlobDataOwnerRole)
  scope: functionStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRole)
    principalId: burstApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Large arguments and results, as the VM workers read and write them.
resource burstUsesPayloads 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(payloadContainer.id, burstApp.id, storageBlobDataContributorRole)
  scope: payloadContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRole)
    principalId: burstApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------- roles: the client

// A client sends to the task queue and the VM-only queue, records its tasks per message on each, and
// creates, reads and deletes a reply queue per run: creating a queue that does not exist yet is a
// Manage right on the namespace, which only Data Owner carries (and which covers both queues).
resource clientOwnsQueues 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(clientPrincipalId)) {
  name: guid(serviceBus.id, clientPrincipalId, serviceBusDataOwnerRole)
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataOwnerRole)
    principalId: clientPrincipalId
    principalType: clientPrincipalType
  }
}

// Payloads: put large arguments, read large results, delete both once the run has them.
resource clientUsesPayloads 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(clientPrincipalId)) {
  name: guid(payloadContainer.id, clientPrincipalId, storageBlobDataContributorRole)
  scope: payloadContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRole)
    principalId: clientPrincipalId
    principalType: clientPrincipalType
  }
}

// ---------------------------------------------------------------- roles: the deployer

// Uploading the worker jar and the Function's package, into those two containers only.
resource deployerWritesJar 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(jarContainer.id, deployerPrincipalId, storageBlobDataContributorRole)
  scope: jarContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRole)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource deployerWritesPackage 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(packageContainer.id, deployerPrincipalId, storageBlobDataContributorRole)
  scope: packageContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRole)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

// ---------------------------------------------------------------- what the client and the deploy steps need

@description('The Service Bus namespace, as the servicebus transport\'s "servicebus.namespace" setting takes it.')
output serviceBusNamespace string = serviceBusFqdn

@description('The task queue\'s name, for the client\'s QueueExecutor.')
output taskQueueName string = taskQueue.name
output taskQueueAddress string = taskQueueAddress

@description('The VM-only queue\'s name and address, for the client\'s QueueExecutor.Builder.vmQueue: tasks the burst function may not run (command apps, long walltimes).')
output vmQueueName string = vmQueue.name
output vmQueueAddress string = vmQueueAddress

@description('The URL FunctionNudger posts to (its key: az functionapp function keys list).')
output nudgeUrl string = 'https://${functionApp.properties.defaultHostName}/api/nudge'

output functionAppName string = functionApp.name

@description('The burst worker Function\'s app (the same package; off until the dispatcher turns it on).')
output burstAppName string = burstApp.name

output burstAppId string = burstApp.id

output scaleSetName string = scaleSet.name

output scaleSetId string = scaleSet.id

@description('Where the worker jar goes (az storage blob upload).')
output workerJarContainerUrl string = workerJarContainerUrl

output workerJarUrl string = workerJarUrl

output workerStorageAccountName string = workerStorage.name

@description('Where the workers beat their heartbeats and the dispatcher reads them (the Function\'s SHOAL_HEARTBEAT_CONTAINER_URL).')
output heartbeatContainerUrl string = heartbeatContainerUrl

@description('The root of the payload store for large arguments and results (the client\'s BlobPayloadStore, the workers\' --payload-store); blobs expire after 7 days.')
output payloadStoreUri string = payloadStoreUri

@description('Where the Function\'s package goes (az storage blob upload of shoal-dispatcher.zip).')
output functionPackageUrl string = '${functionStorage.properties.primaryEndpoints.blob}${packageContainerName}/${functionPackageName}'

output functionStorageAccountName string = functionStorage.name

output workerIdentityClientId string = workerIdentity.properties.clientId
