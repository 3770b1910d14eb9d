package dev.shoal.worker;

import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a worker process, with the command line that {@link WorkerOptions} renders and reads:
 *
 * <pre>
 * java -cp ... dev.shoal.worker.WorkerMain --transport sqs --setting endpoint=http://localhost:9324 \
 *     --queue tasks [--slots N] [--idle-timeout PT5M|0] [--lease PT30S] [--receive-wait PT20S] \
 *     [--max-deliveries 3] [--work-dir DIR] [--worker-id ID] [--signing-key-env VAR]
 * </pre>
 *
 * Prints one line with "ready" on stdout once it polls (process launchers wait for it); logs go to
 * stderr. Exits 0 when it stops cleanly (idle, or asked to), 2 on bad arguments, 1 when it cannot
 * start.
 */
public final class WorkerMain {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

  private WorkerMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.println(WorkerOptions.USAGE);
      return 0;
    }
    WorkerOptions options;
    try {
      options = WorkerOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(WorkerOptions.USAGE);
      return 2;
    }
    String keyVariable = options.signingKeyEnv() != null ? options.signingKeyEnv() : EnvelopeSigner.KEY_ENV;
    String key = env.get(keyVariable);
    if (options.signingKeyEnv() != null && (key == null || key.isEmpty())) {
      // Named explicitly: running without it would silently accept unsigned tasks.
      err.println("error: the signing key variable " + keyVariable + " is not set");
      return 2;
    }
    WireCodec codec = new WireCodec(JsonCodec.create());
    EnvelopeSigner signer;
    TransportProvider provider;
    try {
      signer = key == null || key.isEmpty() ? null : EnvelopeSigner.fromSecret(key, codec);
      provider = TransportProvider.named(options.transport());
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(WorkerOptions.USAGE);
      return 2;
    }

    try (Transport transport = provider.create(options.transportSettings())) {
      String queue = transport.resolveQueue(options.queue()).get(1, TimeUnit.MINUTES);
      WorkerConfig config = WorkerConfig.builder(options.withQueue(queue)).transport(transport).codec(codec)
          .signer(signer).build();
      Worker worker = Worker.start(config);
      // SIGTERM (a scale-in, a stop) takes the same clean path as the idle timeout. The hook
      // blocks, because the JVM exits as soon as its hooks return.
      Thread hook = new Thread(() -> {
        worker.shutdown();
        worker.awaitTermination();
      }, "shoal-worker-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      out.println("worker " + worker.id() + " ready: queue " + queue + ", " + worker.config().options().slots()
          + " slots");
      out.flush();
      worker.awaitTermination();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is what stopped the worker.
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      log.error("worker could not start", e);
      err.println("error: " + e);
      return 1;
    }
  }
}
