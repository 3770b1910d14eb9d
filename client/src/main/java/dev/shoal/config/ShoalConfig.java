package dev.shoal.config;

import dev.shoal.RetryPolicy;
import dev.shoal.ShutdownMode;
import dev.shoal.monitor.MonitorProvider;
import dev.shoal.spi.TaskExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program's configuration: its executors, the kernel's settings and the monitoring section, read
 * from a YAML file ({@code shoal.yaml}) and overridable key by key by system properties ({@code
 * -Dshoal.retries=2}, {@code -Dshoal.executors.0.maxWorkers=8}) and environment variables ({@code
 * SHOAL_RETRIES}, {@code SHOAL_EXECUTORS_0_MAXWORKERS}), which win over the file in that order.
 *
 * <p>Everything is read and checked when loading: an unknown key, a bad value or a missing one
 * fails here with a {@link ConfigException} that names the key and the file and line (or the
 * property or variable). Nothing is started until a kernel starts the executors, and each kernel
 * configured from one {@code ShoalConfig} gets executors of its own.
 *
 * <pre>{@code
 * try (DataFlowKernel dfk = DataFlowKernel.fromConfig()) { ... }                // finds shoal.yaml
 * try (DataFlowKernel dfk = DataFlowKernel.builder().configure(ShoalConfig.load(file))
 *     .executor(myOwnExecutor).build()) { ... }                                   // and adds to it
 * }</pre>
 */
public final class ShoalConfig {
  private static final Logger log = LoggerFactory.getLogger(ShoalConfig.class);
  /** The system property that names the configuration file. */
  public static final String FILE_PROPERTY = "shoal.config";
  /** The environment variable that names the configuration file, when the property does not. */
  public static final String FILE_ENV = "SHOAL_CONFIG";
  /** The file looked for in the working directory when neither names one. */
  public static final String DEFAULT_FILE = "shoal.yaml";
  /** A run id names queues ({@code shoal-reply-<run id>}) and folders, so it keeps to what both allow. */
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** Types whose factory comes with another module, for the message when it is missing. */
  private static final Map<String, String> TYPE_MODULES = Map.of("local", "shoal-embedded");

  private final Optional<Path> file;
  private final Optional<Path> runDir;
  private final Optional<String> runId;
  private final OptionalInt retries;
  private final Optional<RetryPolicy> retryPolicy;
  private final Optional<ShutdownMode> shutdownMode;
  private final Optional<Path> checkpoint;
  private final Map<String, String> apps;
  private final List<ConfiguredExecutorPlan> executors;
  private final MonitoringConfig monitoring;

  /** One entry of {@code executors:}, ready to build. */
  private record ConfiguredExecutorPlan(String label, String type, String origin, Supplier<TaskExecutor> recipe) {}

  private ShoalConfig(Optional<Path> file, Reading reading, Yaml.Mapping document) {
    this.file = file;
    ConfigNode root = new ConfigNode(reading, KeyPath.ROOT, document);
    this.runDir = root.path("runDir");
    this.runId = root.string("runId").map(String::strip);
    runId.filter(id -> !RUN_ID.matcher(id).matches()).ifPresent(id -> {
      throw root.error("runId", "'" + id + "' is not a run id: 1 to 64 letters, digits, - and _ (it names "
          + "queues and folders)");
    });
    this.retries = root.integer("retries", 0);
    this.retryPolicy = retryPolicy(root);
    this.shutdownMode = root.oneOf("shutdownMode", "wait", "cancel")
        .map(mode -> ShutdownMode.valueOf(mode.toUpperCase(Locale.ROOT)));
    this.checkpoint = root.path("checkpoint");
    this.executors = executors(root, reading);
    this.apps = apps(root, executors.stream().map(ConfiguredExecutorPlan::label).toList());
    this.monitoring = monitoring(root.section("monitoring"));
    reading.seal();
    reading.checkUnknownKeys(document);
    List<String> unused = reading.overrides().unusedProperties();
    if (!unused.isEmpty()) {
      log.warn("system properties {} name no key of the configuration (misspelt?)", unused);
    }
  }

  /**
   * The configuration file named by {@value #FILE_PROPERTY}, else {@value #FILE_ENV}, else {@code
   * ./shoal.yaml}; without any, the defaults (the kernel's thread pool), which the log says.
   * System properties and environment variables override it as described above.
   */
  public static ShoalConfig load() {
    return locate(systemProperties(), System.getenv(), Path.of(""));
  }

  /** This file, with this JVM's system properties and environment as overrides. */
  public static ShoalConfig load(Path file) {
    return load(file, systemProperties(), System.getenv());
  }

  /**
   * This file with these overrides: {@code systemProperties} as {@link System#getProperties()}
   * (only {@code shoal.*} count), {@code environment} as {@link System#getenv()}, which also
   * serves {@code ${VAR}} and keys that name a variable.
   */
  public static ShoalConfig load(Path file, Map<String, String> systemProperties, Map<String, String> environment) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file " + file + " does not exist");
    } catch (MalformedInputException e) {
      throw new ConfigException("configuration file " + file + " is not UTF-8 text");
    } catch (IOException e) {
      throw new UncheckedIOException("could not read configuration file " + file, e);
    }
    String source = file.toString();
    ShoalConfig config = new ShoalConfig(Optional.of(file),
        new Reading(source, new Overrides(systemProperties, environment)), Yaml.parse(text, source));
    log.info("configuration {}: executors {}", file, config.describeExecutors());
    return config;
  }

  /** {@link #load()}, looking in {@code workingDirectory} for {@code shoal.yaml}. */
  static ShoalConfig locate(Map<String, String> systemProperties, Map<String, String> environment,
      Path workingDirectory) {
    String named = systemProperties.get(FILE_PROPERTY);
    if (named != null && !named.isBlank()) {
      return load(Path.of(named), systemProperties, environment);
    }
    named = environment.get(FILE_ENV);
    if (named != null && !named.isBlank()) {
      return load(Path.of(named), systemProperties, environment);
    }
    Path inWorkingDirectory = workingDirectory.resolve(DEFAULT_FILE);
    if (Files.isRegularFile(inWorkingDirectory)) {
      return load(inWorkingDirectory, systemProperties, environment);
    }
    ShoalConfig defaults = new ShoalConfig(Optional.empty(), new Reading(null, new Overrides(systemProperties,
        environment)), Yaml.Mapping.empty(1));
    log.info("no configuration file (-D{}, {}, ./{}): the defaults{}", FILE_PROPERTY, FILE_ENV, DEFAULT_FILE,
        defaults.executors.isEmpty() ? ", the kernel's thread pool" : "");
    return defaults;
  }

  private static Map<String, String> systemProperties() {
    Map<String, String> properties = new TreeMap<>();
    System.getProperties().stringPropertyNames().forEach(name -> properties.put(name, System.getProperty(name)));
    return properties;
  }

  private static Optional<RetryPolicy> retryPolicy(ConfigNode root) {
    List<String> names = root.strings("retryOn");
    if (names.isEmpty()) {
      return Optional.empty();
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = ShoalConfig.class.getClassLoader();
    }
    List<Class<? extends Throwable>> types = new ArrayList<>();
    for (String name : names) {
      Class<?> type;
      try {
        type = Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw root.error("retryOn", "no class " + name + " on the class path (give exception classes by their full "
            + "name, such as java.io.IOException)");
      }
      if (!Throwable.class.isAssignableFrom(type)) {
        throw root.error("retryOn", name + " is not an exception class");
      }
      types.add(type.asSubclass(Throwable.class));
    }
    return Optional.of(new RetryOn(types));
  }

  private static List<ConfiguredExecutorPlan> executors(ConfigNode root, Reading reading) {
    Map<String, ExecutorFactory> factories = new TreeMap<>();
    Map<String, String> duplicates = new TreeMap<>();
    for (ExecutorFactory factory : ServiceLoader.load(ExecutorFactory.class)) {
      ExecutorFactory other = factories.putIfAbsent(factory.type(), factory);
      if (other != null && other.getClass() != factory.getClass()) {
        duplicates.put(factory.type(), other.getClass().getName() + " and " + factory.getClass().getName());
      }
    }
    List<ConfiguredExecutorPlan> plans = new ArrayList<>();
    Map<String, String> labels = new LinkedHashMap<>();
    for (ConfigNode entry : root.nodes("executors")) {
      String type = entry.requiredString("type").strip();
      String label = entry.string("label").map(String::strip).orElse(type);
      if (label.isEmpty()) {
        throw entry.error("label", "a label cannot be empty");
      }
      String other = labels.putIfAbsent(label, entry.keyPath());
      if (other != null) {
        throw entry.error(entry.string("label").isPresent() ? "label" : "type", "two executors are labelled '"
            + label + "' (the other is " + other + "): give each a label of its own");
      }
      ExecutorFactory factory = factories.get(type);
      if (factory == null) {
        throw entry.error("type", "unknown executor type '" + type + "'"
            + Suggestions.closest(type, factories.keySet()).map(m -> ": did you mean '" + m + "'?").orElse("")
            + " (known: " + String.join(", ", factories.keySet()) + ")"
            + (TYPE_MODULES.containsKey(type) ? "; type " + type + " comes with " + TYPE_MODULES.get(type)
                + ", which is not on the class path" : ""));
      }
      if (duplicates.containsKey(type)) {
        throw entry.error("type", "executor type '" + type + "' is served by two factories on the class path: "
            + duplicates.get(type));
      }
      String origin = entry.keyPath() + " in " + reading.where(entry.line());
      Supplier<TaskExecutor> recipe;
      try {
        recipe = factory.read(entry, label);
      } catch (ConfigException e) {
        throw e;
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new ConfigException(origin + " (type " + type + "): " + e.getMessage(), e);
      }
      plans.add(new ConfiguredExecutorPlan(label, type, origin, recipe));
    }
    return List.copyOf(plans);
  }

  private static Map<String, String> apps(ConfigNode root, List<String> labels) {
    // Without executors of its own, the kernel has its thread pool, labelled threads.
    List<String> known = labels.isEmpty() ? List.of("threads") : labels;
    ConfigNode section = root.section("apps");
    Map<String, String> apps = new LinkedHashMap<>();
    for (String app : section.keys()) {
      String executor = section.requiredString(app).strip();
      if (!known.contains(executor)) {
        throw section.error(app, "app " + app + " is mapped to executor '" + executor + "', but the executors are "
            + known + Suggestions.closest(executor, known).map(m -> " (did you mean '" + m + "'?)").orElse(""));
      }
      apps.put(app, executor);
    }
    return Collections.unmodifiableMap(apps);
  }

  private static MonitoringConfig monitoring(ConfigNode section) {
    Optional<String> given = section.string("database");
    MonitoringConfig.Database database = given.isEmpty() ? MonitoringConfig.Database.DEFAULT
        : given.get().equals("off") || given.get().equals("false") ? MonitoringConfig.Database.OFF
        : MonitoringConfig.Database.at(section.path("database").orElseThrow());
    OptionalInt port = section.integer("prometheus", 1);
    if (port.isPresent() && port.getAsInt() > 65_535) {
      throw section.error("prometheus", "a port is 1 to 65535, not " + port.getAsInt());
    }
    String progress = section.oneOf("progress", MonitoringConfig.PROGRESS_MODES.toArray(String[]::new)).orElse("auto");
    MonitoringConfig config = new MonitoringConfig(database, port, progress);
    // At start, naming the key: a run that asked to be watched must not go unwatched.
    if (config.asksExplicitly() && MonitorProvider.find().isEmpty()) {
      String key = database.choice() == MonitoringConfig.Choice.FILE ? "database"
          : port.isPresent() ? "prometheus" : "progress";
      throw section.error(key, "needs shoal-monitor (dev.shoal:shoal-monitor) on the class path");
    }
    return config;
  }

  private String describeExecutors() {
    if (executors.isEmpty()) {
      return "(none: the kernel's thread pool)";
    }
    List<String> described = new ArrayList<>();
    executors.forEach(plan -> described.add(plan.label() + " (" + plan.type() + ")"));
    return String.join(", ", described);
  }

  /** The file read; empty for the defaults. */
  public Optional<Path> file() {
    return file;
  }

  /** {@code runDir:}, the folder under which each run gets its own. */
  public Optional<Path> runDir() {
    return runDir;
  }

  /** {@code runId:}. */
  public Optional<String> runId() {
    return runId;
  }

  /** {@code retries:}, for apps that declare none. */
  public OptionalInt retries() {
    return retries;
  }

  /** {@code retryOn:}, a list of exception classes: a failure is retried if it is one of them. */
  public Optional<RetryPolicy> retryPolicy() {
    return retryPolicy;
  }

  /** {@code shutdownMode: wait | cancel}. */
  public Optional<ShutdownMode> shutdownMode() {
    return shutdownMode;
  }

  /** {@code checkpoint:}, the checkpoint file. */
  public Optional<Path> checkpoint() {
    return checkpoint;
  }

  /** {@code apps:}, app name to executor label. */
  public Map<String, String> apps() {
    return apps;
  }

  /** The labels of {@code executors:}, in order: the first runs every app not mapped elsewhere. */
  public List<String> executorLabels() {
    return executors.stream().map(ConfiguredExecutorPlan::label).toList();
  }

  /**
   * New executors, one per entry of {@code executors:}, in order; each is built (servers,
   * connections, workers) only when a kernel starts it. Each call gives new ones: an executor
   * serves one kernel.
   */
  public List<TaskExecutor> newExecutors() {
    List<TaskExecutor> made = new ArrayList<>();
    executors.forEach(plan -> made.add(new ConfiguredExecutor(plan.label(), plan.type(), plan.origin(), plan.recipe())));
    return List.copyOf(made);
  }

  /** {@code monitoring:}: what watches the run (by default the task database and a progress bar, with shoal-monitor). */
  public MonitoringConfig monitoring() {
    return monitoring;
  }

  @Override
  public String toString() {
    return "ShoalConfig[" + file.map(Path::toString).orElse("defaults") + ": executors " + describeExecutors() + "]";
  }
}
