package dev.shoal.azure.vmss;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.polling.PollResult;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.VirtualMachineScaleSetsClient;
import com.azure.resourcemanager.compute.fluent.VirtualMachinesClient;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineScaleSetInner;
import com.azure.resourcemanager.compute.models.ExpandTypeForListVMs;
import com.azure.resourcemanager.compute.models.InstanceViewStatus;
import com.azure.resourcemanager.compute.models.OrchestrationMode;
import com.azure.resourcemanager.compute.models.Sku;
import com.azure.resourcemanager.compute.models.UpgradeMode;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetUpdate;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetUpdateOSProfile;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetUpdateVMProfile;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetVMInstanceRequiredIDs;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.worker.WorkerOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ComputeProvider} over one Azure virtual machine scale set in Flexible orchestration: the
 * scale set is the pool, and its VMs are the workers, each known by its VM name.
 *
 * <p><b>Launching</b> grows the scale set's capacity by the count asked for ({@code PATCH} of its
 * {@code sku.capacity}), writing the workers' custom data into its model in the same request: a
 * cloud-init script that fetches the worker jar from Blob storage with the VM's managed identity,
 * runs {@link WorkerOptions#MAIN_CLASS} with the options' arguments (the task queue, and with
 * {@code --vm-queue} the pool's VM-only queue when the options name one) and the VM's name as
 * worker id, and powers the VM off when the worker exits. It waits for ARM's long-running operation (up to
 * the {@linkplain Builder#operationTimeout(Duration) operation timeout}) and returns the VMs that
 * were not there before. Azure's own autoscale and scale-in are not used: the dispatcher decides.
 *
 * <p><b>Listing</b> reads the scale set's VMs with their instance view in one request (the
 * virtual machines API filtered by {@code virtualMachineScaleSet/id}, which is how a Flexible scale
 * set's VMs are listed; the {@code virtualMachineScaleSetVMs} API serves Uniform ones) and maps
 * each VM's {@code ProvisioningState/*} and {@code PowerState/*} to a phase ({@link VmPhase}): one
 * on its way out is not listed, and one powered off is deleted (below). A VM's
 * {@link WorkerInstance#launchedAt()} is its creation time.
 *
 * <p><b>Pending, running, silent.</b> With a {@linkplain Builder#heartbeatContainer heartbeat
 * container}, each worker JVM beats a {@link BlobHeartbeat} at {@code ready/<scale set>/<vm name>}
 * in it as soon as it polls and then every {@linkplain Builder#heartbeatPeriod(Duration) heartbeat
 * period} while it makes progress; a VM is {@link WorkerInstance.State#RUNNING RUNNING} once that
 * blob exists, with its last-modified time as {@link WorkerInstance#lastSeen() lastSeen}, and
 * {@link WorkerInstance.State#PENDING PENDING} until then, whatever its power state. So the
 * dispatcher's scaling step finds a VM whose worker never started (pending past its deadline) and
 * one whose worker hung (silent past its limit). Listing also deletes the heartbeats of VMs that
 * are gone; a heartbeat container that cannot be read fails the listing, rather than make every
 * worker look pending. Without a heartbeat container, a VM that is powered on is RUNNING (unless
 * still being created) and is never seen, so never taken for silent.
 *
 * <p><b>Who removes an idle worker: the dispatcher, after the worker has exited.</b> A worker leaves
 * by itself once idle; its script then powers the VM off, and the next {@link #list()} deletes every
 * VM of the pool that is powered off (stopped or deallocated), through the scale set, so the
 * capacity goes down with it. The other choice, a worker deleting its own VM, was turned down:
 * <ul>
 *   <li>Least privilege. A VM can only be given rights on the scale set as a whole (its VMs do not
 *       exist when roles are assigned), so a worker able to delete itself could delete any other
 *       worker, busy ones included, and change the capacity. Workers run user code; the scale set is
 *       only the dispatcher's to change.
 *   <li>Nothing runs on a powered-off VM, so deleting it can never stop a busy worker; and the
 *       deletion is one idempotent sweep that also clears VMs whose boot failed (the script powers
 *       off on every failure) or that someone stopped by hand.
 * </ul>
 * The cost: a stopped VM still holds (and bills) its cores until the next evaluation, a minute on
 * the dispatcher's timer. The deletion started by {@code list()} is not waited for: a VM being
 * deleted is not listed, and one whose deletion failed is still stopped and is deleted again.
 *
 * <p><b>Terminating</b> deletes the named VMs through the scale set's {@code delete} action (its
 * capacity goes down by as many) and waits for the operation. The dispatcher chooses them (workers
 * still pending past its deadline); a name that is no longer there is skipped, and a VM that is not
 * in this scale set, or a name that is no VM name, is refused with an {@link IllegalArgumentException}
 * before anything is deleted.
 *
 * <p><b>Only its own pool.</b> The provider touches one scale set, and before it changes anything it
 * checks that this scale set is Flexible, carries the tag {@value #POOL_TAG} (whose value names the
 * pool in logs), and upgrades its VMs manually: launching rewrites the model's custom data, which,
 * under an automatic or rolling upgrade policy, Azure would roll out by reimaging running workers.
 * VMs are taken as the pool's only when their {@code virtualMachineScaleSet.id} is this scale set.
 *
 * <p><b>Failures.</b> ARM's errors (after the SDK's retries, which honour {@code Retry-After}) are
 * thrown as a {@link ScaleSetException} saying what was being done, with ARM's status, error code,
 * message and, when throttled, its {@code Retry-After}.
 */
public final class VmssProvider implements ComputeProvider {
  private static final Logger log = LoggerFactory.getLogger(VmssProvider.class);

  /** The tag that marks a scale set as a Shoal pool; its value is the pool's name. */
  public static final String POOL_TAG = "shoal-pool";

  /** Azure VM names: letters, digits, '-', '_' and '.', at most 64 characters. */
  private static final Pattern VM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final ScaleSetId scaleSet;
  private final VirtualMachineScaleSetsClient scaleSets;
  private final VirtualMachinesClient machines;
  private final String customData;
  private final HeartbeatMarkers heartbeats;
  private final Duration pollInterval;
  private final Duration operationTimeout;
  private final Clock clock;
  /** When a VM without a creation time was first listed; only for such VMs. */
  private final Map<String, Instant> firstListed = new ConcurrentHashMap<>();
  /** The pool's name (the tag's value), once the scale set passed the checks. */
  private volatile String pool;

  private VmssProvider(Builder builder) {
    this.scaleSet = ScaleSetId.parse(builder.scaleSetId);
    WorkerOptions options = Objects.requireNonNull(builder.workerOptions, "a scale-set provider needs worker options");
    URI jarUrl = jarUrl(builder.workerJarUrl);
    this.pollInterval = builder.pollInterval;
    this.operationTimeout = builder.operationTimeout;
    this.clock = Objects.requireNonNull(builder.clock, "clock");
    if (builder.heartbeatContainer != null && builder.heartbeatContainerUrl != null) {
      throw new IllegalArgumentException("give the heartbeat container as a client or as a URL, not both");
    }
    TokenCredential credential = builder.credential;
    if (credential == null && (builder.computeManager == null || builder.heartbeatContainerUrl != null)) {
      credential = new DefaultAzureCredentialBuilder().build();
    }
    BlobContainerClient container = builder.heartbeatContainer;
    if (builder.heartbeatContainerUrl != null) {
      container = new BlobContainerClientBuilder().endpoint(builder.heartbeatContainerUrl).credential(credential)
          .buildClient();
    }
    this.heartbeats = container == null ? null : new HeartbeatMarkers(container, scaleSet.name());
    this.customData = new CustomDataScript(scaleSet.name(), options, jarUrl, builder.identityClientId,
        heartbeats == null ? null : heartbeats.targetPrefix(), builder.heartbeatPeriod).base64();
    ComputeManager manager = builder.computeManager;
    if (manager == null) {
      manager = ComputeManager.authenticate(credential,
          new AzureProfile(null, scaleSet.subscriptionId(), builder.environment));
    } else if (!manager.subscriptionId().equalsIgnoreCase(scaleSet.subscriptionId())) {
      throw new IllegalArgumentException("the compute manager is for subscription " + manager.subscriptionId()
          + ", the scale set in " + scaleSet.subscriptionId());
    }
    this.scaleSets = manager.serviceClient().getVirtualMachineScaleSets();
    this.machines = manager.serviceClient().getVirtualMachines();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The scale set's resource id. */
  public String scaleSetId() {
    return scaleSet.toString();
  }

  @Override
  public List<WorkerInstance> launch(int count) {
    if (count < 1) {
      return List.of();
    }
    VirtualMachineScaleSetInner current = call("reading scale set " + scaleSet.name(),
        () -> scaleSets.getByResourceGroup(scaleSet.resourceGroup(), scaleSet.name()));
    check(current);
    Set<String> before = poolMachines().stream().map(VirtualMachineInner::name).collect(Collectors.toSet());
    long capacity = current.sku() == null || current.sku().capacity() == null ? 0 : current.sku().capacity();
    long target = capacity + count;
    String doing = "growing scale set " + scaleSet.name() + " from " + capacity + " to " + target + " VMs";
    VirtualMachineScaleSetUpdate update = new VirtualMachineScaleSetUpdate()
        .withSku(new Sku().withCapacity(target))
        .withVirtualMachineProfile(new VirtualMachineScaleSetUpdateVMProfile()
            .withOsProfile(new VirtualMachineScaleSetUpdateOSProfile().withCustomData(customData)));
    boolean done = await(doing, call(doing,
        // If-Match: a change by anyone else since the read fails this one (412), rather than being undone.
        () -> scaleSets.beginUpdate(scaleSet.resourceGroup(), scaleSet.name(), update, current.etag(), null,
            Context.NONE)));
    List<WorkerInstance> launched = new ArrayList<>();
    Map<String, Instant> seen = heartbeats == null ? null : Map.of();
    for (VirtualMachineInner machine : poolMachines()) {
      if (!before.contains(machine.name())) {
        WorkerInstance worker = worker(machine, phase(machine), seen);
        if (worker != null) {
          launched.add(worker);
        }
      }
    }
    if (launched.size() < count) {
      log.warn("vmss pool {}: {}{}, but {} new VM(s) are listed", pool, doing,
          done ? "" : " (still under way after " + operationTimeout + ")", launched.size());
    }
    log.info("vmss pool {}: launched {} of {} VM(s): {}", pool, launched.size(), count,
        launched.stream().map(WorkerInstance::id).toList());
    return launched;
  }

  /**
   * The pool's pending and running VMs. It also starts deleting those whose worker exited (powered
   * off), without waiting (see the class comment).
   */
  @Override
  public List<WorkerInstance> list() {
    ensureChecked();
    List<VirtualMachineInner> all = poolMachines();
    // Read after the VMs: the heartbeat of a VM created in between cannot exist yet, so none is forgotten wrongly.
    Map<String, Instant> seen = heartbeats == null ? null : call("reading the heartbeats of scale set "
        + scaleSet.name(), heartbeats::read);
    List<WorkerInstance> workers = new ArrayList<>(all.size());
    List<String> exited = new ArrayList<>();
    for (VirtualMachineInner machine : all) {
      VmPhase phase = phase(machine);
      if (phase == VmPhase.EXITED) {
        exited.add(machine.name());
      } else {
        WorkerInstance worker = worker(machine, phase, seen);
        if (worker != null) {
          workers.add(worker);
        }
      }
    }
    Set<String> names = all.stream().map(VirtualMachineInner::name).collect(Collectors.toSet());
    firstListed.keySet().retainAll(names);
    if (seen != null) {
      for (String name : seen.keySet()) {
        if (!names.contains(name)) {
          call("forgetting the heartbeat of " + name, () -> {
            heartbeats.forget(name);
            return null;
          });
        }
      }
    }
    if (!exited.isEmpty()) {
      log.info("vmss pool {}: deleting {} VM(s) whose worker exited and powered off: {}", pool, exited.size(), exited);
      try {
        delete(exited, false);
      } catch (ScaleSetException e) {
        // They are still stopped next time, and deleted then.
        log.warn("vmss pool {}: {}", pool, e.getMessage());
      }
    }
    return workers;
  }

  /**
   * Deletes these VMs of the pool through the scale set and waits for ARM to finish (up to the
   * operation timeout). Names no longer there are skipped.
   *
   * @throws IllegalArgumentException if any id is not a VM of this scale set; nothing is deleted then
   */
  @Override
  public void terminate(Collection<String> workerIds) {
    Set<String> asked = new LinkedHashSet<>(workerIds);
    if (asked.isEmpty()) {
      return;
    }
    ensureChecked();
    Map<String, VirtualMachineInner> mine = new LinkedHashMap<>();
    for (VirtualMachineInner machine : poolMachines()) {
      mine.put(machine.name(), machine);
    }
    List<String> doomed = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    Map<String, String> refused = new LinkedHashMap<>();
    for (String id : asked) {
      VirtualMachineInner machine = mine.get(id);
      if (machine != null) {
        if (!"deleting".equalsIgnoreCase(machine.provisioningState())) {
          doomed.add(id);
        }
      } else if (id == null || !VM_NAME.matcher(id).matches()) {
        refused.put(String.valueOf(id), "not a VM name");
      } else {
        String owner = owner(id);
        if (owner == null) {
          gone.add(id);
        } else if (owner.isEmpty()) {
          // Created after the listing above: of this scale set all the same.
          doomed.add(id);
        } else {
          refused.put(id, owner);
        }
      }
    }
    if (!refused.isEmpty()) {
      throw new IllegalArgumentException("vmss pool " + pool + ": refusing to delete " + refused.entrySet().stream()
          .map(entry -> entry.getKey() + " (" + entry.getValue() + ")").collect(Collectors.joining(", "))
          + ": not VMs of scale set " + scaleSet + "; nothing was deleted");
    }
    if (!gone.isEmpty()) {
      log.info("vmss pool {}: not deleting {}: no longer there", pool, gone);
    }
    if (!doomed.isEmpty()) {
      delete(doomed, true);
      log.info("vmss pool {}: deleted {}", pool, doomed);
    }
  }

  /** Deletes every VM of the pool (the scale set itself stays, at capacity zero once they are gone). */
  @Override
  public void close() {
    List<String> all = poolMachines().stream()
        .filter(machine -> !"deleting".equalsIgnoreCase(machine.provisioningState()))
        .map(VirtualMachineInner::name)
        .toList();
    if (!all.isEmpty()) {
      ensureChecked();
      delete(all, true);
      log.info("vmss pool {}: deleted every VM: {}", pool, all);
    }
  }

  /** The script the VMs get as custom data, before base64. */
  String customDataScript() {
    return new String(Base64.getDecoder().decode(customData), StandardCharsets.UTF_8);
  }

  private void ensureChecked() {
    if (pool == null) {
      check(call("reading scale set " + scaleSet.name(),
          () -> scaleSets.getByResourceGroup(scaleSet.resourceGroup(), scaleSet.name())));
    }
  }

  /** Refuses a scale set this provider must not change (see the class comment); remembers the pool's name. */
  private void check(VirtualMachineScaleSetInner current) {
    String name = current.tags() == null ? null : current.tags().get(POOL_TAG);
    if (name == null || name.isBlank()) {
      throw new IllegalStateException("scale set " + scaleSet + " has no tag " + POOL_TAG
          + ": not changing a scale set that is not marked as a Shoal pool");
    }
    if (!OrchestrationMode.FLEXIBLE.equals(current.orchestrationMode())) {
      throw new IllegalStateException("scale set " + scaleSet + " is in " + current.orchestrationMode()
          + " orchestration; this provider runs workers on a Flexible scale set");
    }
    UpgradeMode mode = current.upgradePolicy() == null ? null : current.upgradePolicy().mode();
    if (mode != null && !UpgradeMode.MANUAL.equals(mode)) {
      throw new IllegalStateException("scale set " + scaleSet + " upgrades its VMs " + mode
          + "; launching writes the workers' custom data into its model, which Azure would roll out by"
          + " reimaging busy workers: set its upgrade policy to Manual");
    }
    pool = name;
  }

  /** Every VM of the scale set, in any state, with its instance view. */
  private List<VirtualMachineInner> poolMachines() {
    String filter = "'virtualMachineScaleSet/id' eq '" + scaleSet + "'";
    return call("listing the VMs of scale set " + scaleSet.name(), () -> machines
        .listByResourceGroup(scaleSet.resourceGroup(), filter, ExpandTypeForListVMs.INSTANCE_VIEW, Context.NONE)
        .stream()
        // Belt and braces: the filter already says so.
        .filter(machine -> machine.virtualMachineScaleSet() != null
            && scaleSet.matches(machine.virtualMachineScaleSet().id()))
        .toList());
  }

  /**
   * Whose a VM that is not in the pool's listing is: null if there is no VM of that name in the scale
   * set's resource group, empty if it is of this scale set after all, otherwise a few words on whose it is.
   */
  private String owner(String name) {
    try {
      VirtualMachineInner machine = machines.getByResourceGroup(scaleSet.resourceGroup(), name);
      if (machine == null) {
        return null;
      }
      if (machine.virtualMachineScaleSet() == null) {
        return "a VM in no scale set";
      }
      if (scaleSet.matches(machine.virtualMachineScaleSet().id())) {
        return "";
      }
      return "a VM of scale set " + machine.virtualMachineScaleSet().id();
    } catch (HttpResponseException e) {
      if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
        return null;
      }
      throw ScaleSetException.of("reading VM " + name, e);
    }
  }

  private void delete(List<String> names, boolean wait) {
    String doing = "deleting VM(s) " + names + " of scale set " + scaleSet.name();
    VirtualMachineScaleSetVMInstanceRequiredIDs ids = new VirtualMachineScaleSetVMInstanceRequiredIDs()
        .withInstanceIds(List.copyOf(names));
    // The poller sends the request as it is made; waiting is only polling the operation.
    SyncPoller<?, ?> poller = call(doing,
        () -> scaleSets.beginDeleteInstances(scaleSet.resourceGroup(), scaleSet.name(), ids, false, Context.NONE));
    if (wait) {
      await(doing, poller);
    }
  }

  /**
   * Polls an operation until it ends or the operation timeout passes; returns whether it ended.
   *
   * @throws ScaleSetException if it failed or was cancelled
   */
  private boolean await(String doing, SyncPoller<?, ?> poller) {
    poller.setPollInterval(pollInterval);
    PollResponse<?> last;
    try {
      last = poller.waitForCompletion(operationTimeout);
    } catch (HttpResponseException e) {
      throw ScaleSetException.of(doing, e);
    } catch (RuntimeException e) {
      if (e.getCause() instanceof TimeoutException) {
        log.warn("vmss pool {}: {} is still under way after {}; not waiting longer", pool, doing, operationTimeout);
        return false;
      }
      throw e;
    }
    LongRunningOperationStatus status = last.getStatus();
    if (status == LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
      return true;
    }
    if (!status.isComplete()) {
      log.warn("vmss pool {}: {} is still under way after {}; not waiting longer", pool, doing, operationTimeout);
      return false;
    }
    PollResult.Error error = last.getValue() instanceof PollResult<?> result ? result.getError() : null;
    throw ScaleSetException.operationFailed(doing, status.toString(), error);
  }

  private static <T> T call(String doing, Supplier<T> request) {
    try {
      return request.get();
    } catch (HttpResponseException e) {
      throw ScaleSetException.of(doing, e);
    }
  }

  private static VmPhase phase(VirtualMachineInner machine) {
    List<String> codes = machine.instanceView() == null || machine.instanceView().statuses() == null ? List.of()
        : machine.instanceView().statuses().stream().map(InstanceViewStatus::code).toList();
    return VmPhase.of(machine.provisioningState(), codes);
  }

  /**
   * The worker a VM is, or null for a VM on its way out. With heartbeats ({@code seen} not null),
   * a VM is running once its worker beat, and was last seen then; without, once it is powered on.
   */
  private WorkerInstance worker(VirtualMachineInner machine, VmPhase phase, Map<String, Instant> seen) {
    if (phase != VmPhase.PENDING && phase != VmPhase.RUNNING) {
      return null;
    }
    Instant lastSeen = seen == null ? null : seen.get(machine.name());
    boolean running = seen != null ? lastSeen != null : phase == VmPhase.RUNNING;
    Instant launchedAt = machine.timeCreated() != null ? machine.timeCreated().toInstant()
        : firstListed.computeIfAbsent(machine.name(), name -> clock.instant());
    return new WorkerInstance(machine.name(), running ? WorkerInstance.State.RUNNING : WorkerInstance.State.PENDING,
        launchedAt, lastSeen);
  }

  private static URI jarUrl(String url) {
    Objects.requireNonNull(url, "a scale-set provider needs the worker jar's URL in Blob storage");
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL: " + url, e);
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getPath() == null
        || uri.getPath().length() < 2) {
      throw new IllegalArgumentException("the worker jar's URL must be https://<account>.blob.../<container>/<blob>"
          + " (a bearer token never goes over plain http): " + url);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("the worker jar's URL must have no query: the VMs read it with their"
          + " managed identity, so a SAS token (a secret, in custom data) is neither needed nor wanted: " + url);
    }
    return uri;
  }

  @Override
  public String toString() {
    return "VmssProvider[" + scaleSet.name() + "]";
  }

  /** Builds a {@link VmssProvider}; {@link #build()} leaves the builder as it was, so it may build again. */
  public static final class Builder {
    private String scaleSetId;
    private ComputeManager computeManager;
    private TokenCredential credential;
    private AzureEnvironment environment = AzureEnvironment.AZURE;
    private WorkerOptions workerOptions;
    private String workerJarUrl;
    private String identityClientId;
    private Duration pollInterval = Duration.ofSeconds(5);
    private Duration operationTimeout = Duration.ofMinutes(5);
    private BlobContainerClient heartbeatContainer;
    private String heartbeatContainerUrl;
    private Duration heartbeatPeriod = Duration.ofMinutes(1);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The pool's scale set, by resource id:
     * {@code /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>}.
     */
    public Builder scaleSetId(String resourceId) {
      this.scaleSetId = resourceId;
      return this;
    }

    /**
     * The ARM client to use (tests give one on a pipeline of their own). Default: one for the scale
     * set's subscription in the {@linkplain #environment(AzureEnvironment) environment}, signed in
     * with the {@linkplain #credential(TokenCredential) credential}.
     */
    public Builder computeManager(ComputeManager manager) {
      this.computeManager = Objects.requireNonNull(manager, "manager");
      return this;
    }

    /**
     * Who the provider is to ARM, when no compute manager is given. Default: a
     * {@code DefaultAzureCredential} (in a Function App: its managed identity).
     */
    public Builder credential(TokenCredential credential) {
      this.credential = Objects.requireNonNull(credential, "credential");
      return this;
    }

    /** The Azure cloud, when no compute manager is given (default: the public cloud). */
    public Builder environment(AzureEnvironment environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /** What the workers are told to start with: transport and its settings, queue, slots, idle timeout. */
    public Builder workerOptions(WorkerOptions options) {
      this.workerOptions = options;
      return this;
    }

    /**
     * The worker jar (shaded, with the transport's services files merged) in Blob storage:
     * {@code https://<account>.blob.core.windows.net/<container>/<blob>}, without a SAS. The VMs
     * read it with their managed identity, which needs Storage Blob Data Reader on it.
     */
    public Builder workerJarUrl(String url) {
      this.workerJarUrl = url;
      return this;
    }

    /**
     * The client id of the user-assigned managed identity the VMs fetch the jar with; null (the
     * default) for their system-assigned one, or their only user-assigned one.
     */
    public Builder identityClientId(String clientId) {
      this.identityClientId = clientId == null || clientId.isBlank() ? null : clientId;
      return this;
    }

    /**
     * How often an operation of ARM's is polled when ARM does not say (default 5 s; ARM's
     * {@code Retry-After} wins when it gives one).
     */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = requirePositive(interval, "pollInterval");
      return this;
    }

    /**
     * How long launching and terminating wait for ARM's operation to finish (default 5 minutes);
     * past it they return, and the operation goes on.
     */
    public Builder operationTimeout(Duration timeout) {
      this.operationTimeout = requirePositive(timeout, "operationTimeout");
      return this;
    }

    /**
     * The Blob container where the workers beat their heartbeats (see the class comment), as a
     * client (tests give one on an emulator); null: none, and a VM's power state decides.
     */
    public Builder heartbeatContainer(BlobContainerClient container) {
      this.heartbeatContainer = container;
      return this;
    }

    /**
     * The Blob container where the workers beat their heartbeats, by URL
     * ({@code https://<account>.blob.core.windows.net/<container>}), read with the
     * {@linkplain #credential(TokenCredential) credential}; null or blank: none.
     */
    public Builder heartbeatContainerUrl(String url) {
      this.heartbeatContainerUrl = url == null || url.isBlank() ? null : url;
      return this;
    }

    /**
     * How often a worker beats its heartbeat (default 1 minute): a few periods must fit in the
     * dispatcher's silence limit.
     */
    public Builder heartbeatPeriod(Duration period) {
      this.heartbeatPeriod = requirePositive(period, "heartbeatPeriod");
      return this;
    }

    /** The clock that stamps a VM for which ARM gives no creation time. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public VmssProvider build() {
      return new VmssProvider(this);
    }

    private static Duration requirePositive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }
}
