package dev.shoal.azure.dispatcher;

import com.azure.core.http.HttpPipeline;
import com.azure.resourcemanager.compute.ComputeManager;
import dev.shoal.azure.functions.FunctionBurstSwitch;
import dev.shoal.azure.vmss.VmssProvider;
import dev.shoal.dispatcher.ScalingReport;
import dev.shoal.dispatcher.StandaloneDispatch;
import dev.shoal.spi.BurstSwitch;
import dev.shoal.spi.Transport;
import dev.shoal.spi.WorkerInstance;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dispatcher Function's scaling step run outside the Functions host, by the {@code shoal
 * dispatch} and {@code shoal status} commands: the same {@link FunctionSettings}, read from the same
 * app settings (environment variables), and the same parts as {@link DispatcherFunctions} (the
 * {@code servicebus} transport, the scale set's provider, the burst switch), signed in the same way
 * ({@code DefaultAzureCredential}: here the user's Azure CLI login, say).
 *
 * <p>{@link #close()} closes the transport and the burst switch but never the scale-set provider: a
 * provider's {@code close} deletes its pool's VMs, and a dispatcher that stops must leave them, as
 * the Function does.
 */
public final class StandaloneDispatcher implements StandaloneDispatch {
  private final FunctionSettings settings;
  private final Transport transport;
  private final VmssProvider provider;
  private final BurstSwitch burst;
  private final FunctionDispatcher dispatcher;

  private StandaloneDispatcher(Builder builder) {
    this.settings = FunctionSettings.fromEnvironment(builder.env);
    this.transport = DispatcherFunctions.transportProvider(DispatcherFunctions.TRANSPORT)
        .create(settings.transportSettings());
    try {
      VmssProvider.Builder vmss = DispatcherFunctions.providerBuilder(settings);
      if (builder.computeManager != null) {
        vmss.computeManager(builder.computeManager);
      }
      this.provider = vmss.build();
      if (settings.hasBurst()) {
        FunctionBurstSwitch.Builder burstSwitch = DispatcherFunctions.burstSwitchBuilder(settings);
        if (builder.armPipeline != null) {
          burstSwitch.pipeline(builder.armPipeline);
        }
        this.burst = burstSwitch.build();
      } else {
        this.burst = null;
      }
      this.dispatcher = new FunctionDispatcher(settings, transport, provider, burst, builder.clock);
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
  }

  /** A dispatcher configured as the Function is, from these app settings. */
  public static StandaloneDispatcher fromEnvironment(Map<String, String> env) {
    return builder().environment(env).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** One evaluation, as one timer tick of the Function makes it. */
  @Override
  public ScalingReport evaluate() {
    return dispatcher.tick();
  }

  /** The scale set's VMs, pending or running. */
  @Override
  public List<WorkerInstance> pool() {
    return provider.list();
  }

  /** The scale set's resource id. */
  @Override
  public String poolName() {
    return settings.scaleSetId();
  }

  /** The transport the step reads the task queue with. */
  @Override
  public Transport transport() {
    return transport;
  }

  /** The task queue, a name or an address, as configured. */
  @Override
  public String taskQueue() {
    return settings.taskQueue();
  }

  /** The VM-only queue ({@code SHOAL_VM_QUEUE}), a name or an address; null for none. */
  @Override
  public String vmQueue() {
    return settings.vmQueue();
  }

  @Override
  public void close() {
    try {
      if (burst != null) {
        burst.close();
      }
    } finally {
      transport.close();
    }
  }

  /** Where the settings come from, and (for tests, against fakes) the ARM clients to use. */
  public static final class Builder {
    private Map<String, String> env = Map.of();
    private ComputeManager computeManager;
    private HttpPipeline armPipeline;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The app settings, as the Function reads them from its environment. */
    public Builder environment(Map<String, String> env) {
      this.env = Map.copyOf(env);
      return this;
    }

    /** The scale set's ARM client (default: one signed in with {@code DefaultAzureCredential}). */
    public Builder computeManager(ComputeManager manager) {
      this.computeManager = Objects.requireNonNull(manager, "manager");
      return this;
    }

    /** The pipeline the burst switch calls ARM through (default: one signed in with {@code DefaultAzureCredential}). */
    public Builder armPipeline(HttpPipeline pipeline) {
      this.armPipeline = Objects.requireNonNull(pipeline, "pipeline");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** @throws IllegalArgumentException naming every setting that is missing or wrong */
    public StandaloneDispatcher build() {
      return new StandaloneDispatcher(this);
    }
  }
}
