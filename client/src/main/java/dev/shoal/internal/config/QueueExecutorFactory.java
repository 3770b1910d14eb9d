package dev.shoal.internal.config;

import dev.shoal.config.ConfigNode;
import dev.shoal.config.ExecutorFactory;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreProvider;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.TaskExecutor;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code type: queue}: a {@link QueueExecutor} on any transport on the class path, for workers
 * started elsewhere (a cloud pool). Keys: {@code transport} (required: {@code sqs},
 * {@code servicebus}...), {@code settings} (the transport's, also the payload store's),
 * {@code taskQueue}, {@code vmQueue}, {@code taskQueueOptions} ({@code visibilityTimeout},
 * {@code maxReceiveCount}, {@code retention}, {@code tags}), {@code consumers}, {@code
 * signingKeyEnv}, {@code payloadStore}, and {@link QueueTuning}'s. The transport and the store are
 * the executor's: made when it starts, closed after it.
 */
public final class QueueExecutorFactory implements ExecutorFactory {
  @Override
  public String type() {
    return "queue";
  }

  @Override
  public Supplier<TaskExecutor> read(ConfigNode node, String label) {
    TransportProvider provider = Plugins.transport(node, "transport");
    Map<String, String> settings = node.stringMap("settings");
    Optional<String> taskQueue = node.string("taskQueue").map(String::strip);
    Optional<String> vmQueue = node.string("vmQueue").map(String::strip);
    if (vmQueue.isPresent() && vmQueue.equals(taskQueue)) {
      throw node.error("vmQueue", "the VM-only queue must be another queue than the task queue");
    }
    Optional<QueueOptions> queueOptions = node.node("taskQueueOptions").map(QueueExecutorFactory::queueOptions);
    OptionalInt consumers = node.integer("consumers", 0);
    Optional<byte[]> signingKey = signingKey(node, "signingKeyEnv");
    Optional<URI> payloadRoot = node.string("payloadStore")
        .filter(text -> !text.strip().equalsIgnoreCase("none"))
        .map(text -> Plugins.payloadRoot(node, "payloadStore", text));
    Consumer<QueueExecutor.Builder> tuning = QueueTuning.read(node);
    Consumer<QueueExecutor.Builder> configure = builder -> {
      builder.label(label);
      taskQueue.ifPresent(builder::taskQueue);
      vmQueue.ifPresent(builder::vmQueue);
      queueOptions.ifPresent(builder::taskQueueOptions);
      consumers.ifPresent(count -> builder.consumers(() -> count));
      signingKey.ifPresent(builder::signingKey);
      tuning.accept(builder);
    };
    // The builder's own checks, now rather than when a kernel starts.
    configure.accept(QueueExecutor.builder());
    return () -> {
      List<AutoCloseable> owned = new ArrayList<>();
      try {
        Transport transport = provider.create(settings);
        owned.add(transport);
        QueueExecutor.Builder builder = QueueExecutor.builder().transport(transport);
        configure.accept(builder);
        if (payloadRoot.isPresent()) {
          PayloadStore store = PayloadStoreProvider.forScheme(payloadRoot.get().getScheme())
              .create(payloadRoot.get(), settings);
          owned.add(0, store); // used by the executor until it closes, and closed before the transport
          builder.payloadStore(store);
        }
        return new OwningExecutor(builder.build(), owned);
      } catch (RuntimeException e) {
        OwningExecutor.closeAll(owned);
        throw e;
      }
    };
  }

  private static QueueOptions queueOptions(ConfigNode node) {
    // The executor's defaults, where the section leaves a key out.
    QueueOptions options = QueueOptions.defaults().withMaxReceiveCount(5);
    Optional<Duration> visibility = QueueTuning.positive(node, "visibilityTimeout");
    OptionalInt maxReceiveCount = node.integer("maxReceiveCount", 0);
    Optional<Duration> retention = QueueTuning.positive(node, "retention");
    Map<String, String> tags = node.stringMap("tags");
    if (visibility.isPresent()) {
      options = options.withVisibilityTimeout(visibility.get());
    }
    if (maxReceiveCount.isPresent()) {
      options = options.withMaxReceiveCount(maxReceiveCount.getAsInt());
    }
    if (retention.isPresent()) {
      options = options.withRetention(retention.get());
    }
    return tags.isEmpty() ? options : options.withTags(tags);
  }

  /** The key named by an environment variable, checked for length as the signer will. */
  static Optional<byte[]> signingKey(ConfigNode node, String key) {
    return node.environmentValue(key).map(secret -> {
      byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
      if (bytes.length < EnvelopeSigner.MIN_KEY_BYTES) {
        throw node.error(key, "the variable holds " + bytes.length + " bytes, and a signing key needs at least "
            + EnvelopeSigner.MIN_KEY_BYTES);
      }
      return bytes;
    });
  }
}
