package dev.shoal.aws.dispatcher;

import dev.shoal.aws.Ec2Provider;
import dev.shoal.aws.EventSourceMappingSwitch;
import dev.shoal.aws.SqsClients;
import dev.shoal.dispatcher.ScalingReport;
import dev.shoal.dispatcher.StandaloneDispatch;
import dev.shoal.spi.BurstSwitch;
import dev.shoal.spi.Transport;
import dev.shoal.spi.WorkerInstance;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dispatcher Lambda's scaling step run outside Lambda, by the {@code shoal dispatch} and
 * {@code shoal status} commands: the same {@link DispatcherSettings}, read from the same variables,
 * and the same parts as {@link DispatcherHandler} (SQS, the EC2 pool, the burst mapping), but its AWS
 * clients made from explicit client settings ({@link SqsClients#ENDPOINT}, {@link SqsClients#REGION},
 * {@link SqsClients#CREDENTIALS}) rather than only the Lambda's region, so that it can be pointed at
 * an emulator.
 *
 * <p>{@link #close()} closes the transport and the burst switch but never the EC2 provider: a
 * provider's {@code close} terminates its pool, and a dispatcher that stops must leave the pool
 * running, as the Lambda does between invocations.
 */
public final class StandaloneDispatcher implements StandaloneDispatch {
  private final DispatcherSettings settings;
  private final Transport transport;
  private final Ec2Provider provider;
  private final BurstSwitch burst;
  private final DispatcherHandler handler;

  private StandaloneDispatcher(DispatcherSettings settings, Transport transport, Ec2Provider provider,
      BurstSwitch burst, Clock clock) {
    this.settings = settings;
    this.transport = transport;
    this.provider = provider;
    this.burst = burst;
    this.handler = new DispatcherHandler(settings, transport, provider, burst, clock);
  }

  /**
   * A dispatcher configured as the Lambda is.
   *
   * @param env the variables {@link DispatcherSettings#fromEnvironment} reads, and
   *     {@value DispatcherSettings#RUNTIME_REGION}, the region when the client settings name none
   * @param clientSettings the AWS clients' settings; the workers are told only the region, as the
   *     Lambda tells them
   * @throws IllegalArgumentException naming every variable that is missing or wrong
   */
  public static StandaloneDispatcher fromEnvironment(Map<String, String> env, Map<String, String> clientSettings) {
    DispatcherSettings settings = DispatcherSettings.fromEnvironment(env);
    Map<String, String> clients = new HashMap<>(clientSettings);
    String runtimeRegion = env.get(DispatcherSettings.RUNTIME_REGION);
    if (!clients.containsKey(SqsClients.REGION) && runtimeRegion != null && !runtimeRegion.isBlank()) {
      clients.put(SqsClients.REGION, runtimeRegion);
    }
    String region = clients.get(SqsClients.REGION);
    Transport transport = SqsClients.transport(clients);
    try {
      Ec2Provider provider = DispatcherHandler.providerBuilder(settings, region).settings(clients).build();
      BurstSwitch burst = settings.burstMapping() == null ? null
          : EventSourceMappingSwitch.create(settings.burstMapping(), clients);
      return new StandaloneDispatcher(settings, transport, provider, burst, Clock.systemUTC());
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
  }

  /** One evaluation, as one invocation of the Lambda makes it. */
  @Override
  public ScalingReport evaluate() {
    return handler.evaluate();
  }

  /** The pool's instances, pending or running. */
  @Override
  public List<WorkerInstance> pool() {
    return provider.list();
  }

  /** What the pool is called (its instances' {@code shoal:pool} tag). */
  @Override
  public String poolName() {
    return settings.pool();
  }

  /** The transport the step reads the queues with. */
  @Override
  public Transport transport() {
    return transport;
  }

  @Override
  public String taskQueue() {
    return settings.taskQueueUrl();
  }

  /** The VM-only queue; null for none. */
  @Override
  public String vmQueue() {
    return settings.vmQueueUrl();
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
}
