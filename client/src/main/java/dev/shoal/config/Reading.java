package dev.shoal.config;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One reading of a configuration: where it came from, its overrides, and which keys of each
 * mapping the program asked for. Asked, not found: a key asked for is known even where the file
 * leaves it out, so that a misspelt key can be told apart from one that is merely unused, and the
 * known keys can be listed beside it.
 */
final class Reading {
  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** The file's name as given; null when there is no file. */
  private final String source;
  private final Overrides overrides;
  private final Map<Yaml.Mapping, Set<String>> asked = new IdentityHashMap<>();
  /** Volatile: a kernel may start the executors, and a factory wrongly read, on another thread. */
  private volatile boolean sealed;

  Reading(String source, Overrides overrides) {
    this.source = source;
    this.overrides = overrides;
  }

  Overrides overrides() {
    return overrides;
  }

  /** Where a line of the file is, for messages. */
  String where(int line) {
    return source == null ? "the defaults (no configuration file)" : source + " line " + line;
  }

  Set<String> asked(Yaml.Mapping mapping) {
    return asked.computeIfAbsent(mapping, m -> new LinkedHashSet<>());
  }

  void checkOpen() {
    if (sealed) {
      throw new IllegalStateException("the configuration was read and checked already: an ExecutorFactory "
          + "reads its keys in read(), not in the supplier it returns");
    }
  }

  void seal() {
    sealed = true;
  }

  /**
   * Replaces {@code ${NAME}} with the environment variable's value, {@code ${NAME:-default}} with
   * the default when it is unset or empty; {@code $${} stands for a literal {@code ${}.
   */
  String substitute(String text, KeyPath path, int line) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (at < text.length()) {
      if (text.startsWith("$${", at)) {
        out.append("${");
        at += 3;
      } else if (text.startsWith("${", at)) {
        int end = text.indexOf('}', at + 2);
        if (end < 0) {
          throw new ConfigException(bad(path, where(line), "'${' is not closed by '}' (write $${ for a literal ${)"));
        }
        String inner = text.substring(at + 2, end);
        int dash = inner.indexOf(":-");
        String name = dash < 0 ? inner : inner.substring(0, dash);
        if (!VARIABLE_NAME.matcher(name).matches()) {
          throw new ConfigException(bad(path, where(line), "'${" + inner + "}' does not name an environment "
              + "variable (letters, digits and _)"));
        }
        String value = overrides.variable(name);
        if (value == null || value.isEmpty()) {
          if (dash < 0) {
            throw new ConfigException(bad(path, where(line), "environment variable " + name + " is not set (write ${"
                + name + ":-default} to give a default)"));
          }
          value = inner.substring(dash + 2);
        }
        out.append(value);
        at = end + 1;
      } else {
        out.append(text.charAt(at++));
      }
    }
    return out.toString();
  }

  static String bad(KeyPath path, String origin, String problem) {
    return "bad value for '" + path.display() + "' in " + origin + ": " + problem;
  }

  /** Fails naming every key of the file that nothing asked for, each with its line and the known keys. */
  void checkUnknownKeys(Yaml.Mapping root) {
    List<String> problems = new ArrayList<>();
    walk(root, KeyPath.ROOT, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("\n", problems));
    }
  }

  private void walk(Yaml node, KeyPath path, List<String> problems) {
    if (node instanceof Yaml.Mapping mapping) {
      Set<String> known = asked.get(mapping);
      if (known == null) {
        return; // never read as a section: its key is reported above it
      }
      for (Yaml.Entry entry : mapping.entries().values()) {
        KeyPath at = path.child(entry.key());
        if (!known.contains(entry.key())) {
          Optional<String> meant = Suggestions.closest(entry.key(), known);
          problems.add("unknown key '" + at.display() + "' in " + where(entry.line())
              + meant.map(m -> ": did you mean '" + m + "'?").orElse("")
              + " (known: " + String.join(", ", known) + ")");
        } else {
          walk(entry.value(), at, problems);
        }
      }
    } else if (node instanceof Yaml.Sequence sequence) {
      for (int i = 0; i < sequence.items().size(); i++) {
        walk(sequence.items().get(i), path.index(i), problems);
      }
    }
  }
}
