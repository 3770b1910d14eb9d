package dev.shoal.config;

import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.spi.TaskExecutor;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * {@code type: recording}, found through {@code META-INF/services} of the client's tests: records
 * what it read and each executor it built, per {@code note} (each test uses its own), and builds a
 * one-thread pool. {@code size: 13} fails as a builder's own check would; {@code note: late-*}
 * reads the configuration again when building, as a factory must not.
 */
public final class RecordingExecutorFactory implements ExecutorFactory {
  /** What read() saw, per note: the entry's path and the label. Test code only. */
  static final Map<String, List<String>> READ = new ConcurrentHashMap<>();
  /** Executors built, per note. Test code only. */
  static final Map<String, List<String>> BUILT = new ConcurrentHashMap<>();

  @Override
  public String type() {
    return "recording";
  }

  @Override
  public Supplier<TaskExecutor> read(ConfigNode node, String label) {
    OptionalInt size = node.integer("size", 0);
    String note = node.requiredString("note");
    if (size.orElse(0) == 13) {
      throw new IllegalArgumentException("size 13 is unlucky");
    }
    READ.computeIfAbsent(note, n -> new CopyOnWriteArrayList<>()).add(node.keyPath() + " " + label);
    return () -> {
      if (note.startsWith("late")) {
        node.string("size");
      }
      BUILT.computeIfAbsent(note, n -> new CopyOnWriteArrayList<>()).add(label);
      return ThreadPoolTaskExecutor.builder().label(label).threads(1).threadNamePrefix(note + "-").build();
    };
  }
}
