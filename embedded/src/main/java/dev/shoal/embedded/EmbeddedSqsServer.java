package dev.shoal.embedded;

import java.net.URI;
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

  private final SQSRestServer server;
  private final int port;

  private EmbeddedSqsServer(SQSRestServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /** Starts a server on 127.0.0.1 and a port the OS picks; returns once it accepts requests. */
  public static EmbeddedSqsServer start() {
    long started = System.nanoTime();
    SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    Http.ServerBinding binding = server.waitUntilStarted();
    int port = binding.localAddress().getPort();
    log.info("embedded SQS server (ElasticMQ) on 127.0.0.1:{}, started in {} ms", port,
        (System.nanoTime() - started) / 1_000_000);
    return new EmbeddedSqsServer(server, port);
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
    server.stopAndWait();
  }
}
