package dev.shoal.internal.config;

import dev.shoal.config.ConfigNode;
import dev.shoal.spi.PayloadStoreProvider;
import dev.shoal.spi.TransportProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Transports and payload stores named in a configuration, looked up when it is read, so that a
 * misspelt name or a module missing from the class path fails with the key's line rather than
 * when the kernel starts.
 */
public final class Plugins {
  private Plugins() {}

  /** Where the providers usually come from, for the message when one is missing. */
  private static final Map<String, String> MODULES = Map.of("sqs", "shoal-aws", "servicebus", "shoal-azure",
      "s3", "shoal-aws", "azblob", "shoal-azure");

  /** The transport provider the key names. */
  public static TransportProvider transport(ConfigNode node, String key) {
    String name = node.requiredString(key).strip();
    Map<String, TransportProvider> providers = new TreeMap<>();
    for (TransportProvider provider : ServiceLoader.load(TransportProvider.class)) {
      providers.putIfAbsent(provider.name(), provider);
    }
    TransportProvider provider = providers.get(name);
    if (provider == null) {
      throw node.error(key, "no transport named '" + name + "' on the class path (known: "
          + String.join(", ", providers.keySet()) + ")" + moduleHint(name));
    }
    return provider;
  }

  /**
   * A payload store's root: a URI whose scheme a {@link PayloadStoreProvider} on the class path
   * serves ({@code file:///data/payloads}, {@code s3://bucket/prefix}), or a folder, made absolute.
   */
  public static URI payloadRoot(ConfigNode node, String key, String text) {
    String value = text.strip();
    URI root;
    if (value.matches("[A-Za-z][A-Za-z0-9+.-]+:.*")) {
      try {
        root = new URI(value);
      } catch (URISyntaxException e) {
        throw node.error(key, "'" + value + "' is not a URI: " + e.getReason());
      }
    } else {
      try {
        root = Path.of(value).toAbsolutePath().toUri();
      } catch (InvalidPathException e) {
        throw node.error(key, "'" + value + "' is neither a URI nor a folder: " + e.getReason());
      }
    }
    TreeSet<String> schemes = new TreeSet<>();
    for (PayloadStoreProvider provider : ServiceLoader.load(PayloadStoreProvider.class)) {
      schemes.add(provider.scheme());
    }
    if (!schemes.contains(root.getScheme())) {
      throw node.error(key, "no payload store for '" + root.getScheme() + ":' on the class path (known: "
          + String.join(", ", schemes) + ")" + moduleHint(root.getScheme()));
    }
    return root;
  }

  private static String moduleHint(String name) {
    return MODULES.containsKey(name) ? "; " + name + " comes with " + MODULES.get(name) : "";
  }
}
