package dev.shoal.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * A mapping of a configuration (the file's top level, an executor's entry, a section such as
 * {@code queueService:}), read key by key. Each getter returns the key's value from a system
 * property {@code shoal.<path>} if set, else an environment variable {@code SHOAL_<PATH>}, else
 * the file (where {@code ${VAR}} and {@code ${VAR:-default}} are replaced from the environment);
 * and records that the key was asked for, so that a key nothing asks for can be reported as
 * unknown. A value that does not fit fails with a {@link ConfigException} naming the key and the
 * file and line, or the property or variable, it came from.
 */
public final class ConfigNode {
  private final Reading reading;
  private final KeyPath path;
  private final Yaml.Mapping mapping;

  ConfigNode(Reading reading, KeyPath path, Yaml.Mapping mapping) {
    this.reading = reading;
    this.path = path;
    this.mapping = mapping;
    reading.asked(mapping);
  }

  /** Where this mapping is, as messages name it: {@code executors[0]}. */
  public String keyPath() {
    return path.display();
  }

  /** The key's text. */
  public Optional<String> string(String key) {
    return resolve(key).map(Resolved::text);
  }

  /** The key's text; fails when it is not set. */
  public String requiredString(String key) {
    return string(key).orElseThrow(() -> missing(key));
  }

  /** A whole number, at least {@code min}. */
  public OptionalInt integer(String key, int min) {
    Optional<Resolved> value = resolve(key);
    if (value.isEmpty()) {
      return OptionalInt.empty();
    }
    long number = parse(value.get(), Values::wholeNumber);
    if (number < min) {
      throw bad(value.get(), "must be " + min + " or more, not " + number);
    }
    if (number > Integer.MAX_VALUE) {
      throw bad(value.get(), number + " is too large");
    }
    return OptionalInt.of((int) number);
  }

  /** A size in bytes: {@code 1048576}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB}, {@code 100MB}. */
  public OptionalLong bytes(String key) {
    Optional<Resolved> value = resolve(key);
    return value.isEmpty() ? OptionalLong.empty() : OptionalLong.of(parse(value.get(), Values::bytes));
  }

  /**
   * A duration, 0 or more: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d},
   * combined ({@code 1m30s}), or ISO-8601 ({@code PT10S}).
   */
  public Optional<Duration> duration(String key) {
    return resolve(key).map(value -> parse(value, Values::duration));
  }

  /** {@code true}/{@code false}; {@code on}/{@code off} and {@code yes}/{@code no} also do. */
  public Optional<Boolean> bool(String key) {
    return resolve(key).map(value -> parse(value, Values::bool));
  }

  /** A file or folder, as given: a relative one is relative to the program's working directory. */
  public Optional<Path> path(String key) {
    return resolve(key).map(value -> parse(value, Path::of));
  }

  /** One of {@code choices}, in any case; returned as the choice is spelt. */
  public Optional<String> oneOf(String key, String... choices) {
    Optional<Resolved> value = resolve(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String text = value.get().text().strip();
    for (String choice : choices) {
      if (choice.equalsIgnoreCase(text)) {
        return Optional.of(choice);
      }
    }
    List<String> known = Arrays.asList(choices);
    throw bad(value.get(), "'" + text + "' is not one of " + String.join(", ", known)
        + Suggestions.closest(text, known).map(m -> " (did you mean '" + m + "'?)").orElse(""));
  }

  /**
   * The value of the environment variable that this key names, such as {@code signingKeyEnv:
   * MY_KEY}: how a secret reaches a program without being written in its configuration. Fails when
   * the variable is not set.
   */
  public Optional<String> environmentValue(String key) {
    Optional<Resolved> value = resolve(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String name = value.get().text().strip();
    String secret = reading.overrides().variable(name);
    if (secret == null || secret.isEmpty()) {
      throw bad(value.get(), "it names environment variable " + name + ", which is not set");
    }
    return Optional.of(secret);
  }

  /**
   * A list of texts: a YAML list, or one text of comma-separated items (the form an override
   * takes). Empty when not set.
   */
  public List<String> strings(String key) {
    reading.checkOpen();
    reading.asked(mapping).add(key);
    KeyPath at = path.child(key);
    Optional<Overrides.Value> override = reading.overrides().find(at);
    if (override.isPresent()) {
      return split(override.get().text());
    }
    Yaml.Entry entry = mapping.entries().get(key);
    if (entry == null) {
      return List.of();
    }
    if (entry.value() instanceof Yaml.Scalar scalar) {
      return scalar.text() == null ? List.of() : split(reading.substitute(scalar.text(), at, scalar.line()));
    }
    if (!(entry.value() instanceof Yaml.Sequence sequence)) {
      throw new ConfigException(Reading.bad(at, reading.where(entry.value().line()), "expected a list, found "
          + entry.value().kind()));
    }
    List<String> items = new ArrayList<>();
    for (int i = 0; i < sequence.items().size(); i++) {
      Yaml item = sequence.items().get(i);
      if (!(item instanceof Yaml.Scalar scalar) || scalar.text() == null) {
        throw new ConfigException(Reading.bad(at.index(i), reading.where(item.line()), "expected a value, found "
            + (item instanceof Yaml.Scalar ? "nothing" : item.kind())));
      }
      items.add(reading.substitute(scalar.text(), at.index(i), scalar.line()));
    }
    return Collections.unmodifiableList(items);
  }

  /** A section: a mapping under this key. Empty when not in the file. */
  public Optional<ConfigNode> node(String key) {
    reading.checkOpen();
    reading.asked(mapping).add(key);
    Yaml.Entry entry = mapping.entries().get(key);
    if (entry == null || isNull(entry.value())) {
      return Optional.empty();
    }
    if (!(entry.value() instanceof Yaml.Mapping section)) {
      throw new ConfigException(Reading.bad(path.child(key), reading.where(entry.value().line()),
          "expected a mapping (indented key: value lines), found " + entry.value().kind()));
    }
    return Optional.of(new ConfigNode(reading, path.child(key), section));
  }

  /** A list of mappings under this key, such as {@code executors:}. Empty when not in the file. */
  public List<ConfigNode> nodes(String key) {
    reading.checkOpen();
    reading.asked(mapping).add(key);
    Yaml.Entry entry = mapping.entries().get(key);
    if (entry == null || isNull(entry.value())) {
      return List.of();
    }
    KeyPath at = path.child(key);
    if (!(entry.value() instanceof Yaml.Sequence sequence)) {
      throw new ConfigException(Reading.bad(at, reading.where(entry.value().line()),
          "expected a list of mappings (lines starting with '- '), found " + entry.value().kind()));
    }
    List<ConfigNode> nodes = new ArrayList<>();
    for (int i = 0; i < sequence.items().size(); i++) {
      Yaml item = sequence.items().get(i);
      if (!(item instanceof Yaml.Mapping element)) {
        throw new ConfigException(Reading.bad(at.index(i), reading.where(item.line()),
            "expected a mapping (key: value lines), found " + item.kind()));
      }
      nodes.add(new ConfigNode(reading, at.index(i), element));
    }
    return List.copyOf(nodes);
  }

  /**
   * The keys of a free-form mapping (a transport's settings, the app mapping): those in the file,
   * and those that system properties add below its path. Each counts as known.
   */
  public Set<String> keys() {
    reading.checkOpen();
    Set<String> keys = new LinkedHashSet<>(mapping.entries().keySet());
    keys.addAll(reading.overrides().propertyKeysUnder(path));
    reading.asked(mapping).addAll(keys);
    return Collections.unmodifiableSet(keys);
  }

  /** A free-form mapping of texts under this key, each overridable as any other key. */
  public Map<String, String> stringMap(String key) {
    ConfigNode section = section(key);
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : section.keys()) {
      values.put(name, section.string(name).orElseThrow(() -> section.error(name, "a value is missing")));
    }
    return Collections.unmodifiableMap(values);
  }

  /** The section under this key, or an empty one in its place (which system properties may still add keys to). */
  ConfigNode section(String key) {
    return node(key).orElseGet(() -> new ConfigNode(reading, path.child(key), Yaml.Mapping.empty(mapping.line())));
  }

  /** The line this mapping starts on. */
  int line() {
    return mapping.line();
  }

  /**
   * An error about this key, naming it and where its value came from (or this mapping's line when
   * it is not set), for a value that the getters accept but the executor cannot use.
   */
  public ConfigException error(String key, String problem) {
    KeyPath at = path.child(key);
    Optional<Overrides.Value> override = reading.overrides().find(at);
    if (override.isPresent()) {
      return new ConfigException(Reading.bad(at, override.get().origin(), problem));
    }
    Yaml.Entry entry = mapping.entries().get(key);
    if (entry != null) {
      return new ConfigException(Reading.bad(at, reading.where(entry.value().line()), problem));
    }
    return new ConfigException("'" + at.display() + "' in " + reading.where(mapping.line()) + ": " + problem);
  }

  /** A key's value and where it came from. */
  private record Resolved(KeyPath path, String text, String origin) {}

  private Optional<Resolved> resolve(String key) {
    reading.checkOpen();
    reading.asked(mapping).add(key);
    KeyPath at = path.child(key);
    Optional<Overrides.Value> override = reading.overrides().find(at);
    if (override.isPresent()) {
      return Optional.of(new Resolved(at, override.get().text(), override.get().origin()));
    }
    Yaml.Entry entry = mapping.entries().get(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (!(entry.value() instanceof Yaml.Scalar scalar)) {
      throw new ConfigException(Reading.bad(at, reading.where(entry.value().line()), "expected a single value, found "
          + entry.value().kind()));
    }
    if (scalar.text() == null) {
      return Optional.empty();
    }
    return Optional.of(new Resolved(at, reading.substitute(scalar.text(), at, scalar.line()),
        reading.where(scalar.line())));
  }

  private <T> T parse(Resolved value, Function<String, T> parser) {
    try {
      return parser.apply(value.text());
    } catch (InvalidPathException e) {
      throw bad(value, "'" + value.text() + "' is not a path: " + e.getReason());
    } catch (IllegalArgumentException e) {
      throw bad(value, e.getMessage());
    }
  }

  private ConfigException bad(Resolved value, String problem) {
    return new ConfigException(Reading.bad(value.path(), value.origin(), problem));
  }

  /** A missing key, and the key beside it that looks like it misspelt. */
  private ConfigException missing(String key) {
    Set<String> asked = reading.asked(mapping);
    List<String> unasked = mapping.entries().keySet().stream().filter(k -> !asked.contains(k)).toList();
    String hint = Suggestions.closest(key, unasked)
        .map(k -> " ('" + k + "' on line " + mapping.entries().get(k).line() + " looks like a misspelling of it)")
        .orElse("");
    return new ConfigException("missing key '" + path.child(key).display() + "' in " + reading.where(mapping.line())
        + hint);
  }

  private static boolean isNull(Yaml value) {
    return value instanceof Yaml.Scalar scalar && scalar.text() == null;
  }

  private static List<String> split(String text) {
    List<String> items = new ArrayList<>();
    for (String item : text.split(",")) {
      if (!item.isBlank()) {
        items.add(item.strip());
      }
    }
    return Collections.unmodifiableList(items);
  }

  @Override
  public String toString() {
    return "ConfigNode[" + path.display() + " at " + reading.where(mapping.line()) + "]";
  }
}
