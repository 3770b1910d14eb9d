package dev.shoal.embedded;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.scaladsl.Http;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SQS-compatible server (ElasticMQ) in this JVM, on a free loopback port: the queue service of
 * Shoal's local default, with no cloud account and no Docker. Queues live in memory and vanish
 * when it stops.
 */
public final class EmbeddedSqsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedSqsServer.class);

  private final ActorSystem actors;
  private final SQSRestServer server;
  private final int port;

  private EmbeddedSqsServer(ActorSystem actors, SQSRestServer server, int port) {
    this.actors = actors;
    this.server = server;
    this.port = port;
  }

  /** Starts a server on 127.0.0.1 and a port the OS picks; returns once it accepts requests. */
  public static EmbeddedSqsServer start() {
    long started = System.nanoTime();
    // Our own actor system, so that closing can end it at once: the server's own stop waits for
    // open long polls (up to 20 s), and a failed start would leave its threads running.
    ActorSystem actors = ActorSystem.create("shoal-elasticmq", sizedToThisMachine());
    try {
      SQSRestServer server = SQSRestServerBuilder.withActorSystem(actors).withInterface("127.0.0.1")
          .withDynamicPort().start();
      Http.ServerBinding binding = server.waitUntilStarted();
      int port = binding.localAddress().getPort();
      log.info("embedded SQS server (ElasticMQ) on 127.0.0.1:{}, started in {} ms", port,
          (System.nanoTime() - started) / 1_000_000);
      return new EmbeddedSqsServer(actors, server, port);
    } catch (RuntimeException e) {
      terminate(actors);
      throw e;
    }
  }

  /**
   * Pekko's defaults start at 8 threads for actors and 4 for its internals, whatever the machine:
   * on a laptop or a 2-core VM that is more threads than cores, and a request then waits for the
   * scheduler between every hop of ElasticMQ's actors. One thread per core, at least one. The
   * user's own {@code pekko.*} settings (system properties, application.conf) still win.
   */
  static Config sizedToThisMachine() {
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    Map<String, Object> sizing = new HashMap<>();
    for (String dispatcher : List.of("default-dispatcher", "internal-dispatcher")) {
      String prefix = "pekko.actor." + dispatcher + ".fork-join-executor.";
      sizing.put(prefix + "parallelism-min", 1);
      sizing.put(prefix + "parallelism-factor", 1.0);
      sizing.put(prefix + "parallelism-max", cores);
    }
    // ConfigFactory.load()'s layers, with this sizing between the user's and Pekko's reference.
    return ConfigFactory.defaultOverrides()
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseMap(sizing))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  public int port() {
    return port;
  }

  /** The endpoint to give SQS clients, e.g. {@code http://127.0.0.1:40123}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public void close() {
    server.stopAndGetFuture();
    terminate(actors);
  }

  private static void terminate(ActorSystem actors) {
    actors.terminate();
    try {
      actors.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("embedded SQS server did not stop cleanly: {}", e.toString());
    }
  }
}
