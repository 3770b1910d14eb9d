package dev.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.spi.QueueOptions;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged command as a user runs it (the verify phase, once the shaded jar exists): the jar
 * with java -jar, the services files of every module merged in it (both transports found), and
 * bin/shoal from another directory and through a symlink.
 */
class ShoalJarIT {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir
  Path elsewhere;

  private static Path jar() {
    Path jar = Path.of(System.getProperty("shoal.jar"));
    assertThat(jar).as("the shaded jar").isRegularFile();
    return jar;
  }

  private static Path launcher() {
    Path launcher = Path.of(System.getProperty("shoal.launcher")).toAbsolutePath().normalize();
    assertThat(launcher).as("bin/shoal").isRegularFile().isExecutable();
    return launcher;
  }

  record Run(int exit, String out, String err) {}

  private Run run(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(elsewhere, "out", ".txt");
    Path err = Files.createTempFile(elsewhere, "err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    boolean ended = process.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly();
    }
    assertThat(ended).as("%s ended within 2 minutes", command).isTrue();
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private Run jar(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(JAVA, "-jar", jar().toString()));
    command.addAll(List.of(args));
    return run(Map.of(), command);
  }

  @Test
  void theJarRunsItsHelpAndVersion() throws Exception {
    Run help = jar("--help");
    Run version = jar("--version");
    Run workerHelp = jar("worker", "--help");
    Run usage = jar("status", "--frobnicate");

    assertThat(help.exit()).as("%s", help).isZero();
    assertThat(help.out()).contains("Usage: shoal", "worker", "dispatch", "status", "dlq", "completion");
    assertThat(version.out()).containsPattern("shoal \\d+\\.\\d+\\.\\d+");
    assertThat(workerHelp.out()).contains("--max-deliveries", "--vm-queue");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.err()).contains("Unknown option: '--frobnicate'");
  }

  @Test
  void theJarMergedEveryModulesServiceFiles() throws Exception {
    try (JarFile file = new JarFile(jar().toFile())) {
      String transports = new String(file.getInputStream(file.getEntry(
          "META-INF/services/dev.shoal.spi.TransportProvider")).readAllBytes(), StandardCharsets.UTF_8);
      assertThat(transports).contains("dev.shoal.aws.SqsTransportProvider",
          "dev.shoal.azure.servicebus.ServiceBusTransportProvider");
      assertThat(file.getEntry("META-INF/services/dev.shoal.worker.HeartbeatProvider")).isNotNull();
    }
  }

  @Test
  void theJarTalksToSqsAndToServiceBus() throws Exception {
    try (ElasticMq sqs = ElasticMq.start(); FakeServiceBus bus = FakeServiceBus.start()) {
      String queue = sqs.queueWithDeadLetters(5);
      sqs.transport.send(queue, List.of("one".getBytes(StandardCharsets.UTF_8))).join();
      List<String> sqsArgs = new ArrayList<>(List.of("status", "--json"));
      sqsArgs.addAll(sqs.options(queue));
      try (var serviceBus = new dev.shoal.azure.servicebus.ServiceBusTransportProvider()
          .create(bus.transportSettings())) {
        serviceBus.createQueue("jar-tasks", QueueOptions.defaults()).join();
      }
      List<String> busArgs = new ArrayList<>(List.of("status", "--transport", "servicebus", "--queue", "jar-tasks"));
      bus.transportSettings().forEach((key, value) -> busArgs.addAll(List.of("--setting", key + "=" + value)));

      Run onSqs = jar(sqsArgs.toArray(String[]::new));
      Run onServiceBus = jar(busArgs.toArray(String[]::new));

      assertThat(onSqs.exit()).as("%s", onSqs).isZero();
      assertThat(onSqs.out()).contains("\"waiting\" : 1");
      assertThat(onServiceBus.exit()).as("%s", onServiceBus).isZero();
      assertThat(onServiceBus.out()).containsPattern("task +sb://\\S+/jar-tasks +0 +0 +0");
    }
  }

  @Test
  void theLauncherWorksFromAnyDirectoryAndThroughASymlink() throws Exception {
    Path link = elsewhere.resolve("bin").resolve("shoal");
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, launcher());

    Run direct = run(Map.of("SHOAL_JAR", ""), List.of(launcher().toString(), "--version"));
    Run linked = run(Map.of(), List.of(link.toString(), "dlq", "--help"));

    assertThat(direct.exit()).as("%s", direct).isZero();
    assertThat(direct.out()).containsPattern("shoal \\d+\\.\\d+\\.\\d+");
    assertThat(linked.exit()).as("%s", linked).isZero();
    assertThat(linked.out()).contains("Usage: shoal dlq", "list", "redrive", "purge");
  }

  @Test
  void theLauncherSaysWhenThereIsNoJar() throws Exception {
    Run run = run(Map.of("SHOAL_JAR", elsewhere.resolve("missing.jar").toString()),
        List.of(launcher().toString(), "--help"));

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("shoal: no shoal.jar at " + elsewhere.resolve("missing.jar"));
  }

  @Test
  void theLauncherPassesShellcheck() throws Exception {
    boolean installed = false;
    for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      installed |= Files.isExecutable(Path.of(folder, "shellcheck"));
    }
    Assumptions.assumeTrue(installed, "shellcheck is not installed");

    Run run = run(Map.of(), List.of("shellcheck", launcher().toString()));

    assertThat(run.exit()).as("%s", run).isZero();
  }
}
