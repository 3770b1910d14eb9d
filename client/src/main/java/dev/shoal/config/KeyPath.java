package dev.shoal.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a key sits in the configuration, and the names it goes by: {@code executors[0].taskQueue}
 * in messages, {@code shoal.executors.0.taskQueue} as a system property, {@code
 * SHOAL_EXECUTORS_0_TASKQUEUE} as an environment variable.
 *
 * @param parts keys ({@link String}) and list indexes ({@link Integer}), from the top
 */
record KeyPath(List<Object> parts) {
  static final KeyPath ROOT = new KeyPath(List.of());

  KeyPath {
    parts = List.copyOf(parts);
  }

  KeyPath child(String key) {
    List<Object> longer = new ArrayList<>(parts);
    longer.add(key);
    return new KeyPath(longer);
  }

  KeyPath index(int index) {
    List<Object> longer = new ArrayList<>(parts);
    longer.add(index);
    return new KeyPath(longer);
  }

  /** As in messages: {@code executors[0].taskQueue}; the top level is "(top level)". */
  String display() {
    if (parts.isEmpty()) {
      return "(top level)";
    }
    StringBuilder text = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof Integer index) {
        text.append('[').append(index).append(']');
      } else {
        if (text.length() > 0) {
          text.append('.');
        }
        text.append(part);
      }
    }
    return text.toString();
  }

  /** Every part joined by dots, indexes as numbers: {@code executors.0.taskQueue}. */
  String dotted() {
    StringBuilder text = new StringBuilder();
    for (Object part : parts) {
      if (text.length() > 0) {
        text.append('.');
      }
      text.append(part);
    }
    return text.toString();
  }

  String systemProperty() {
    return Overrides.PROPERTY_PREFIX + dotted();
  }

  /** Upper case, dots and dashes to underscores, since a shell's variable names allow neither. */
  String environmentVariable() {
    return Overrides.ENV_PREFIX + dotted().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
