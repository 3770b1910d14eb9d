package dev.shoal.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * System properties and environment variables that override the file, looked up key by key as
 * the program reads them: a system property {@code shoal.a.b} first, then a variable {@code
 * SHOAL_A_B}. An empty one counts as unset, as a shell's {@code VAR=} usually means.
 */
final class Overrides {
  static final String PROPERTY_PREFIX = "shoal.";
  static final String ENV_PREFIX = "SHOAL_";

  /** An override's text and where it came from, for messages. */
  record Value(String text, String origin) {}

  private final Map<String, String> properties;
  private final Map<String, String> environment;
  private final Set<String> consulted = new HashSet<>();
  private final List<String> scannedPrefixes = new ArrayList<>();

  /** @param properties system properties; only those named {@code shoal.*} are kept */
  Overrides(Map<String, String> properties, Map<String, String> environment) {
    Map<String, String> ours = new TreeMap<>();
    properties.forEach((name, value) -> {
      if (name.startsWith(PROPERTY_PREFIX)) {
        ours.put(name, value);
      }
    });
    this.properties = ours;
    this.environment = Map.copyOf(environment);
  }

  Optional<Value> find(KeyPath path) {
    String property = path.systemProperty();
    consulted.add(property);
    String value = properties.get(property);
    if (value != null && !value.isEmpty()) {
      return Optional.of(new Value(value, "system property " + property));
    }
    String variable = path.environmentVariable();
    value = environment.get(variable);
    if (value != null && !value.isEmpty()) {
      return Optional.of(new Value(value, "environment variable " + variable));
    }
    return Optional.empty();
  }

  /**
   * The keys that system properties add below a free-form mapping ({@code shoal.apps.pi.sample}
   * adds {@code pi.sample} to {@code apps}). Environment variables cannot add keys: their names
   * lose a key's case and its dots.
   */
  Set<String> propertyKeysUnder(KeyPath path) {
    String prefix = path.systemProperty() + ".";
    scannedPrefixes.add(prefix);
    Set<String> keys = new LinkedHashSet<>();
    properties.keySet().forEach(name -> {
      if (name.startsWith(prefix) && name.length() > prefix.length()) {
        keys.add(name.substring(prefix.length()));
      }
    });
    return keys;
  }

  /** The environment, for {@code ${VAR}} and for keys that name a variable. */
  String variable(String name) {
    return environment.get(name);
  }

  /** {@code shoal.*} system properties that no key read: most likely misspelt. */
  List<String> unusedProperties() {
    List<String> unused = new ArrayList<>();
    for (String name : properties.keySet()) {
      if (name.equals(ShoalConfig.FILE_PROPERTY) || consulted.contains(name)
          || scannedPrefixes.stream().anyMatch(name::startsWith)) {
        continue;
      }
      unused.add(name);
    }
    return unused;
  }
}
