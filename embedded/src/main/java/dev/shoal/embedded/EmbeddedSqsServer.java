package dev.shoal.embedded;

import java.net.URI;
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
    ActorSystem actors = ActorSystem.create("shoal-elasticmq");
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
