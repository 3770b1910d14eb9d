package dev.shoal.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers the line of every key and value. Jackson's streaming
 * parser rather than its tree model, since a {@code JsonNode} forgets where it was read from.
 * Scalars keep their text as written ({@code yes}, {@code 0x10}, {@code 10s}): each key's reader
 * decides what the text means, so that {@code "10"} and {@code 10} read alike.
 */
sealed interface Yaml permits Yaml.Mapping, Yaml.Sequence, Yaml.Scalar {

  /** The line the node starts on, from 1. */
  int line();

  /** What the node is, for messages: "a mapping", "a list", "a value". */
  String kind();

  /** @param text as written; null for YAML's null ({@code ~}, {@code null}, or nothing) */
  record Scalar(String text, int line) implements Yaml {
    @Override
    public String kind() {
      return "a value";
    }
  }

  record Sequence(List<Yaml> items, int line) implements Yaml {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public String kind() {
      return "a list";
    }
  }

  /** @param line the line of the key */
  record Entry(String key, int line, Yaml value) {}

  /**
   * Compared by identity where it matters (which keys of this mapping were read), so two empty
   * mappings are never confused.
   */
  record Mapping(Map<String, Entry> entries, int line) implements Yaml {
    public Mapping {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    static Mapping empty(int line) {
      return new Mapping(Map.of(), line);
    }

    @Override
    public String kind() {
      return "a mapping";
    }

    @Override
    public boolean equals(Object other) {
      return this == other;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  /**
   * Parses one document whose top level is a mapping (an empty document is an empty mapping).
   *
   * @param source the file's name, for messages
   */
  static Mapping parse(String text, String source) {
    YAMLFactory factory = YAMLFactory.builder().build();
    try (JsonParser parser = factory.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return Mapping.empty(1);
      }
      Yaml root = read(parser, source, KeyPath.ROOT);
      if (parser.nextToken() != null) {
        throw new ConfigException(source + " line " + line(parser) + ": a configuration file holds one YAML "
            + "document, and this one starts another (---)");
      }
      if (!(root instanceof Mapping mapping)) {
        throw new ConfigException(source + " line " + root.line() + ": the file must be a mapping of keys to "
            + "values (such as 'executors:'), not " + root.kind());
      }
      return mapping;
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new ConfigException(source + (line > 0 ? " line " + line : "") + " is not valid YAML: "
          + problem(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Yaml read(JsonParser parser, String source, KeyPath path) throws IOException {
    int line = line(parser);
    if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      // Jackson would hand back the alias's name as if it were the value.
      throw new ConfigException(source + " line " + line + ": '" + path.display() + "' is a YAML alias (*"
          + parser.getText() + "), which a configuration does not support: write the value out");
    }
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          int keyLine = line(parser);
          parser.nextToken();
          KeyPath at = path.child(key);
          Entry previous = entries.get(key);
          if (previous != null) {
            throw new ConfigException(source + " line " + keyLine + ": key '" + at.display()
                + "' appears twice (first on line " + previous.line() + ")");
          }
          entries.put(key, new Entry(key, keyLine, read(parser, source, at)));
        }
        return new Mapping(entries, line);
      }
      case START_ARRAY -> {
        List<Yaml> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(parser, source, path.index(items.size())));
        }
        return new Sequence(items, line);
      }
      case VALUE_NULL -> {
        return new Scalar(null, line);
      }
      default -> {
        return new Scalar(parser.getText(), line);
      }
    }
  }

  private static int line(JsonParser parser) {
    return parser.currentTokenLocation().getLineNr();
  }

  /** SnakeYAML's message less its echo of the source and its caret lines: what was wrong. */
  private static String problem(String message) {
    if (message == null) {
      return "unreadable";
    }
    List<String> kept = new ArrayList<>();
    for (String line : message.split("\\R")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("in 'reader'") || trimmed.chars().allMatch(c -> c == '^')) {
        continue;
      }
      kept.add(trimmed);
    }
    // The first line says what was being parsed, the last what was found.
    return kept.isEmpty() ? message.strip() : kept.size() == 1 ? kept.get(0)
        : kept.get(0) + ": " + kept.get(kept.size() - 1);
  }
}
