package dev.shoal.worker;

import java.net.URI;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Creates the {@link Heartbeat} for a target URI such as {@code s3://bucket/ready/pool/i-0abc}, so
 * that the worker's {@code main} needs no cloud SDK: implementations are found with
 * {@link ServiceLoader} by the target's scheme ({@code shoal-aws} serves {@code s3}).
 *
 * <p>{@link WorkerMain} reads the target from the environment variable {@value #TARGET_ENV}, not
 * from its command line: the target names the machine the worker runs on, which only that machine
 * knows (its launcher renders one command line for every machine it starts). Without the variable
 * a worker beats no heartbeat.
 */
public interface HeartbeatProvider {
  /** The environment variable holding the heartbeat's target URI. */
  String TARGET_ENV = "SHOAL_HEARTBEAT";
  /** The environment variable holding how often to beat, ISO-8601 (default {@code PT1M}). */
  String PERIOD_ENV = "SHOAL_HEARTBEAT_PERIOD";

  /** The URI scheme of the targets it serves, such as "s3". */
  String scheme();

  /**
   * A heartbeat that marks this target.
   *
   * @param transportSettings the worker's transport settings, for what a cloud client shares with
   *     the transport's (the region, the credentials); an endpoint among them is the queue
   *     service's, not the heartbeat's
   * @throws IllegalArgumentException when the target is not one this provider can write
   */
  Heartbeat create(URI target, Map<String, String> transportSettings);

  /** The provider of this scheme on the class path. */
  static HeartbeatProvider forScheme(String scheme) {
    for (HeartbeatProvider provider : ServiceLoader.load(HeartbeatProvider.class)) {
      if (provider.scheme().equals(scheme)) {
        return provider;
      }
    }
    throw new IllegalArgumentException("no heartbeat provider for '" + scheme + ":' targets on the class path"
        + " (a shaded worker jar needs the services files merged)");
  }
}
