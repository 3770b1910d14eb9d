package dev.shoal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code shoal run}: a program in a JVM of its own, with Shoal (this command's own class path) beside
 * it and its configuration chosen here. A JVM of its own, not this one: the worker JVMs a local
 * cluster starts take the program's class path, which must then hold the program's apps.
 */
@Command(name = "run", header = "Runs a program (a jar or a main class) with a configuration.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = {"Starts the program in a JVM of its own, with Shoal on its class path: a program that builds "
        + "its kernel with DataFlowKernel.fromConfig() runs on the executors --config names (threads, the local "
        + "cluster, AWS, Azure), records itself in the task database and shows its progress on a terminal. "
        + "Options after the program are the program's.",
        "The options set the configuration's keys as system properties do (-Dshoal.config, "
            + "-Dshoal.monitoring.progress, -Dshoal.monitoring.database); a program that builds its kernel in "
            + "code is started all the same, and only its code decides what it runs on."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"the program's own", "1:it could not be started", "2:usage error"})
final class RunCommand implements Callable<Integer> {
  private final CliContext context;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The configuration (shoal.yaml).")
  Path config;

  @Option(names = "--classpath", paramLabel = "PATH",
      description = "The program's class path, for a main class (with a jar: added after it).")
  String classPath;

  @Option(names = "--main", paramLabel = "CLASS", description = "The main class, when the jar names none or another.")
  String mainClass;

  @Option(names = "--progress", paramLabel = "auto|bar|log|off",
      description = "How to show progress (default: the configuration's, else auto: a bar on a terminal).")
  String progress;

  @Option(names = "--db", paramLabel = "FILE|off",
      description = "The task database (default: the configuration's, else monitoring.db in the runs' folder).")
  String database;

  @Option(names = {"-J", "--java-option"}, paramLabel = "OPTION",
      description = "An option for the program's JVM (-J-Xmx4g); repeatable.")
  List<String> javaOptions = new ArrayList<>();

  @Parameters(index = "0", paramLabel = "JAR|CLASS", description = "The program: a jar, or a main class.")
  String program;

  @Parameters(index = "1..*", paramLabel = "ARG", description = "The program's arguments.")
  List<String> arguments = new ArrayList<>();

  RunCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    if (progress != null && !List.of("auto", "bar", "log", "off").contains(progress)) {
      throw new IllegalArgumentException("--progress must be auto, bar, log or off, not " + progress);
    }
    if (config != null && !Files.isRegularFile(config)) {
      throw new IllegalArgumentException("no configuration file " + config.toAbsolutePath());
    }
    List<String> command = command();
    ProcessBuilder builder = new ProcessBuilder(command);
    // On the real terminal the program sees the terminal itself: its progress bar needs one.
    boolean own = context.out() == System.out;
    if (own) {
      builder.inheritIO();
    }
    Process process = builder.start();
    Thread stopper = new Thread(process::destroy, "shoal-run-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      if (!own) {
        process.getOutputStream().close();
        Thread out = copy(process.getInputStream(), context.out());
        Thread err = copy(process.getErrorStream(), context.err());
        int exit = process.waitFor();
        out.join();
        err.join();
        return exit;
      }
      return process.waitFor();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running: it stops the program.
      }
    }
  }

  /** The program's command line. */
  List<String> command() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(javaOptions);
    if (config != null) {
      command.add("-Dshoal.config=" + config.toAbsolutePath());
    }
    if (progress != null) {
      command.add("-Dshoal.monitoring.progress=" + progress);
    }
    if (database != null) {
      command.add("-Dshoal.monitoring.database=" + database);
    }
    String main;
    List<String> path = new ArrayList<>();
    if (program.endsWith(".jar")) {
      Path jar = Path.of(program);
      if (!Files.isRegularFile(jar)) {
        throw new IllegalArgumentException("no jar " + jar.toAbsolutePath());
      }
      path.add(jar.toAbsolutePath().toString());
      main = mainClass != null ? mainClass : mainClassOf(jar);
    } else {
      if (mainClass != null) {
        throw new IllegalArgumentException("--main is for a jar; the program here is the class " + program);
      }
      main = program;
    }
    if (classPath != null) {
      path.add(classPath);
    }
    // Shoal itself: this command's class path (the shoal jar, where it runs from one).
    path.add(System.getProperty("java.class.path"));
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, path));
    command.add(main);
    command.addAll(arguments);
    return command;
  }

  private static String mainClassOf(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      String main = manifest == null ? null : manifest.getMainAttributes().getValue("Main-Class");
      if (main == null || main.isBlank()) {
        throw new IllegalArgumentException("the jar " + jar + " names no Main-Class: give it with --main CLASS");
      }
      return main.trim();
    }
  }

  private static Thread copy(InputStream from, OutputStream to) {
    Thread thread = new Thread(() -> {
      try (from) {
        from.transferTo(to);
        to.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "shoal-run-output");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
