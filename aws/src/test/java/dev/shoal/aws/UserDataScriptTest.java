package dev.shoal.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.testing.Await;
import dev.shoal.worker.WorkerOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EC2 worker's user data, run by bash with stub commands in place of curl, java, the package
 * managers and shutdown (the instance metadata, the jar's host and the machine itself): what it
 * fetches and runs, with which timeouts, what it leaves for someone reading the console of an
 * instance that is gone, and that it powers off whatever happens. And shellcheck, where installed.
 */
@Timeout(60)
class UserDataScriptTest {
  private static final String JAR_LINK = "https://artifacts.s3.amazonaws.com/shoal-worker.jar?X-Amz-Signature=secret";
  private static final WorkerOptions OPTIONS = WorkerOptions.of("sqs", Map.of(SqsClients.REGION, "eu-west-1"),
      "https://sqs.eu-west-1.amazonaws.com/123456789012/tasks").withSlots(2);

  @TempDir
  Path dir;
  private Path bin;
  private Path calls;
  private Path log;

  @BeforeEach
  void machine() throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    calls = dir.resolve("calls");
    log = dir.resolve("shoal-worker.log");
    Files.createFile(calls);
    // The few real tools the script uses besides the stubs.
    for (String tool : List.of("tee", "mkdir", "timeout", "cat")) {
      Path real = List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream().filter(Files::isExecutable)
          .findFirst().orElse(null);
      Assumptions.assumeTrue(real != null, tool + " is not installed");
      stub(tool, "exec " + real + " \"$@\"");
    }
    stub("shutdown", "echo \"shutdown $*\" >> \"$CALLS\"");
    stub("curl", """
        echo "curl $*" >> "$CALLS"
        case "$*" in
          *latest/api/token*) echo token-1 ;;
          *meta-data/instance-id*) echo i-0stub ;;
          *"-o worker.jar"*) [ -z "${JAR_FAILS:-}" ] || { echo "curl: (22) 403" >&2; exit 22; }; echo jar > worker.jar ;;
          *) exit 2 ;;
        esac""");
    stub("java", """
        echo "java $* heartbeat=${SHOAL_HEARTBEAT:-} period=${SHOAL_HEARTBEAT_PERIOD:-} region=${AWS_REGION:-}" >> "$CALLS"
        echo "worker i-0stub ready: queue q, 2 slots"
        echo "worker i-0stub received nothing for PT5M, stopping" >&2""");
  }

  private Ec2Provider.Builder provider() {
    return Ec2Provider.builder().pool("pool-1").imageId("ami-1").workerOptions(OPTIONS).workerJarUrl("s3://artifacts/shoal-worker.jar")
        .readyBucket("artifacts").heartbeatPeriod(Duration.ofSeconds(30));
  }

  /** The script as the provider renders it; rendering calls no AWS API, so the clients go unused. */
  private String script() {
    Map<String, String> settings = Map.of(SqsClients.REGION, "eu-west-1", SqsClients.CREDENTIALS, "static");
    try (var ec2 = AwsClients.configure(software.amazon.awssdk.services.ec2.Ec2Client.builder(), settings).build();
        var s3 = AwsClients.configure(software.amazon.awssdk.services.s3.S3Client.builder(), settings).build()) {
      // Not closed: closing a provider terminates its pool.
      return provider().ec2(ec2, false).s3(s3, false).build().userData(JAR_LINK);
    }
  }

  private void stub(String name, String body) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/bin/bash\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Runs the script as cloud-init would, but on this test's paths; returns what it printed. */
  private String boot(Map<String, String> env) throws Exception {
    Path script = dir.resolve("user-data");
    Files.writeString(script, script().replace(Ec2Provider.LOG_FILE, log.toString())
        .replace(Ec2Provider.HOME, dir.resolve("home").toString()));
    // To a file, not a pipe: when bash exits, the JDK drains a child's pipe and closes it, losing
    // what tee (which outlives bash by a moment) still writes. cloud-init reads its pipe to the end.
    Path output = dir.resolve("output");
    ProcessBuilder builder = new ProcessBuilder("/bin/bash", script.toString()).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().putAll(Map.of("PATH", bin.toString(), "CALLS", calls.toString()));
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    // Every way out powers off, and says so last.
    Await.until(Duration.ofSeconds(30), () -> read(output).endsWith("shoal: powering off\n"),
        () -> "the script's last line in " + read(output));
    return read(output);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<String> calls() throws IOException {
    return Files.readAllLines(calls);
  }

  @Test
  void fetchesTheJarWithATimeoutRunsTheWorkerWithItsHeartbeatAndPowersOffLeavingATrace() throws Exception {
    String out = boot(Map.of());

    assertThat(calls()).anySatisfy(call -> assertThat(call).startsWith("curl -fsS --connect-timeout 10 --max-time 300")
        .endsWith("-o worker.jar " + JAR_LINK));
    assertThat(calls()).filteredOn(call -> call.startsWith("curl")).allMatch(call -> call.contains("--max-time"));
    assertThat(calls()).filteredOn(call -> call.startsWith("java")).singleElement().satisfies(java -> assertThat(java)
        .startsWith("java -cp worker.jar dev.shoal.worker.WorkerMain --transport sqs --queue " + OPTIONS.queue())
        .contains("--worker-id i-0stub heartbeat=s3://artifacts/ready/pool-1/i-0stub period=PT30S region=eu-west-1"));
    assertThat(calls()).last().isEqualTo("shutdown -h now");
    // What the script and the worker print goes to its output (cloud-init's log and the console) and to the file.
    assertThat(out).contains("shoal: starting worker i-0stub", "worker i-0stub ready", "received nothing for PT5M",
        "shoal: worker exited with status 0", "shoal: powering off");
    assertThat(Files.readString(log)).isEqualTo(out);
    // The link lets whoever reads it fetch the jar: never printed.
    assertThat(out).doesNotContain("X-Amz-Signature");
  }

  @Test
  void aJarThatCannotBeFetchedLeavesItsReasonOnTheConsoleAndPowersOff() throws Exception {
    String out = boot(Map.of("JAR_FAILS", "1"));

    assertThat(out).contains("shoal: could not fetch the worker jar", "shoal: powering off");
    assertThat(calls()).noneMatch(call -> call.startsWith("java"));
    assertThat(calls()).last().isEqualTo("shutdown -h now");
  }

  @Test
  void installsJavaWithTimeoutsWhenTheImageHasNone() throws Exception {
    Path java = bin.resolve("java");
    Files.move(java, dir.resolve("java"));
    stub("apt-get", "echo \"apt-get $*\" >> \"$CALLS\"\ncase \"$*\" in *install*) /bin/cp -p \"" + dir.resolve("java")
        + "\" \"" + java + "\" ;; esac");

    String out = boot(Map.of());

    assertThat(calls()).filteredOn(call -> call.startsWith("apt-get")).containsExactly(
        "apt-get -o DPkg::Lock::Timeout=120 update -q",
        "apt-get -o DPkg::Lock::Timeout=120 install -y -q openjdk-17-jre-headless");
    assertThat(script()).contains("timeout 300 apt-get", "timeout 600 apt-get", "timeout 600 dnf", "timeout 600 yum");
    assertThat(out).contains("shoal: installing Java 17", "worker i-0stub ready");
  }

  @Test
  void anImageWithoutJavaOrAPackageManagerSaysSo() throws Exception {
    Files.delete(bin.resolve("java"));

    String out = boot(Map.of());

    assertThat(out).contains("shoal: could not install Java 17", "shoal: powering off");
    assertThat(calls()).noneMatch(call -> call.contains("worker.jar"));
  }

  @Test
  void anImageWithoutCurlSaysSo() throws Exception {
    Files.delete(bin.resolve("curl"));

    String out = boot(Map.of());

    assertThat(out).contains("shoal: this image has no curl", "shoal: powering off");
    assertThat(calls()).containsExactly("shutdown -h now");
  }

  @Test
  void shellcheckFindsNothing() throws Exception {
    Path shellcheck = Path.of("/usr/bin/shellcheck");
    Assumptions.assumeTrue(Files.isExecutable(shellcheck), "shellcheck is not installed (apt-get install shellcheck)");
    Path script = dir.resolve("user-data");
    Files.writeString(script, script());

    Process process = new ProcessBuilder(shellcheck.toString(), "--severity=style", script.toString())
        .redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out).isEmpty();
    assertThat(process.exitValue()).isZero();
  }
}
