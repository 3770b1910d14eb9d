package dev.shoal.azure.vmss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.testing.Await;
import dev.shoal.worker.WorkerOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale set's worker custom data, run by bash with stub commands in place of curl (the
 * instance metadata service and Blob storage), java, the package managers, sleep and shutdown:
 * how it gets a token from the VM's managed identity and fetches the jar with it without ever
 * showing it, what it runs, with which timeouts, what it leaves for someone reading the serial
 * console of a VM that is gone, and that it powers off whatever happens. And shellcheck.
 */
@Timeout(60)
class CustomDataScriptTest {
  private static final String JAR = "https://shoalartifacts.blob.core.windows.net/jars/shoal-worker.jar";
  private static final String TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOi.secret-part";
  private static final WorkerOptions OPTIONS = WorkerOptions.of("servicebus",
      Map.of("namespace", "shoal-ns.servicebus.windows.net"), "shoal-tasks").withSlots(2);

  @TempDir
  Path dir;
  private Path bin;
  private Path calls;
  private Path stdin;
  private Path log;

  @BeforeEach
  void machine() throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    calls = dir.resolve("calls");
    stdin = dir.resolve("curl-stdin");
    log = dir.resolve("shoal-worker.log");
    Files.createFile(calls);
    // The few real tools the script uses besides the stubs.
    for (String tool : List.of("tee", "mkdir", "timeout", "cat", "sed")) {
      Path real = List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream().filter(Files::isExecutable)
          .findFirst().orElse(null);
      Assumptions.assumeTrue(real != null, tool + " is not installed");
      stub(tool, "exec " + real + " \"$@\"");
    }
    stub("shutdown", "echo \"shutdown $*\" >> \"$CALLS\"");
    stub("sleep", "echo \"sleep $*\" >> \"$CALLS\"");
    stub("curl", """
        echo "curl $*" >> "$CALLS"
        case "$*" in
          *identity/oauth2/token*)
            [ -z "${TOKEN_FAILS:-}" ] || { echo 'curl: (22) The requested URL returned error: 400' >&2; exit 22; }
            echo '{"access_token":"%s","expires_in":"86399","resource":"https://storage.azure.com/","token_type":"Bearer"}' ;;
          *"-o worker.jar"*)
            cat > "$STDIN"
            [ -z "${JAR_FAILS:-}" ] || { echo "curl: (22) The requested URL returned error: 403" >&2; exit 22; }
            echo jar > worker.jar ;;
          *instance/compute/name*) printf workers_1a2b3c4d ;;
          *) exit 2 ;;
        esac""".formatted(TOKEN));
    stub("java", """
        echo "java $*" >> "$CALLS"
        echo "env heartbeat=${SHOAL_HEARTBEAT:-} period=${SHOAL_HEARTBEAT_PERIOD:-} client=${AZURE_CLIENT_ID:-}" >> "$CALLS"
        echo "worker workers_1a2b3c4d ready: queue shoal-tasks, 2 slots"
        echo "worker workers_1a2b3c4d received nothing for PT5M, stopping" >&2""");
  }

  private static CustomDataScript script(String identityClientId) {
    return new CustomDataScript("workers", OPTIONS, URI.create(JAR), identityClientId, null, Duration.ofMinutes(1));
  }

  private static CustomDataScript withHeartbeat(String identityClientId) {
    return new CustomDataScript("workers", OPTIONS, URI.create(JAR), identityClientId,
        "azblob://shoalartifacts.blob.core.windows.net/heartbeats/ready/workers/", Duration.ofSeconds(30));
  }

  private void stub(String name, String body) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/bin/bash\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Runs the script as cloud-init would, but on this test's paths; returns what it printed. */
  private String boot(CustomDataScript script, Map<String, String> env) throws Exception {
    Path file = dir.resolve("custom-data");
    Files.writeString(file, script.render().replace(CustomDataScript.LOG_FILE, log.toString())
        .replace(CustomDataScript.HOME, dir.resolve("home").toString()));
    // To a file, not a pipe: when bash exits, the JDK drains a child's pipe and closes it, losing
    // what tee (which outlives bash by a moment) still writes. cloud-init reads its pipe to the end.
    Path output = dir.resolve("output");
    ProcessBuilder builder = new ProcessBuilder("/bin/bash", file.toString()).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().putAll(Map.of("PATH", bin.toString(), "CALLS", calls.toString(), "STDIN", stdin.toString()));
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
  void fetchesTheJarWithTheManagedIdentitysTokenRunsTheWorkerAndPowersOffLeavingATrace() throws Exception {
    String out = boot(script(null), Map.of());

    assertThat(calls()).first().asString().startsWith("curl -fsS --connect-timeout 2 --max-time 10 -H Metadata: true "
        + "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
        + "&resource=https%3A%2F%2Fstorage.azure.com%2F").doesNotContain("client_id");
    assertThat(calls()).anySatisfy(call -> assertThat(call)
        .startsWith("curl -fsS --connect-timeout 10 --max-time 300 --retry 5 --retry-delay 5 -H x-ms-version: 2021-08-06 -H @-")
        .endsWith("-o worker.jar " + JAR));
    // The token reaches Blob storage as a Bearer header read from standard input...
    assertThat(Files.readString(stdin)).isEqualTo("Authorization: Bearer " + TOKEN + "\n");
    // ...and is on no command line and in no output.
    assertThat(calls()).noneMatch(call -> call.contains("secret-part"));
    assertThat(out).doesNotContain("secret-part");
    assertThat(calls()).filteredOn(call -> call.startsWith("curl")).allMatch(call -> call.contains("--max-time"));
    assertThat(calls()).filteredOn(call -> call.startsWith("java")).singleElement().isEqualTo(
        "java -cp worker.jar dev.shoal.worker.WorkerMain " + String.join(" ", OPTIONS.arguments())
            + " --worker-id workers_1a2b3c4d");
    assertThat(calls()).last().isEqualTo("shutdown -h now");
    // What the script and the worker print goes to its output (cloud-init's log and the serial console) and to the file.
    assertThat(out).contains("shoal: starting worker workers_1a2b3c4d", "worker workers_1a2b3c4d ready",
        "received nothing for PT5M", "shoal: worker exited with status 0", "shoal: powering off");
    assertThat(Files.readString(log)).isEqualTo(out);
  }

  @Test
  void aPoolWithAVmOnlyQueueTellsTheWorkerToServeItBesideTheTaskQueue() throws Exception {
    // This java prints its arguments one a line, so that word boundaries show.
    stub("java", "printf 'argv %s\\n' \"$@\" >> \"$CALLS\"");
    WorkerOptions options = OPTIONS.withVmQueue("sb://shoal-ns.servicebus.windows.net/shoal-vm-tasks");

    boot(new CustomDataScript("workers", options, URI.create(JAR), null, null, Duration.ofMinutes(1)), Map.of());

    List<String> argv = calls().stream().filter(call -> call.startsWith("argv ")).map(call -> call.substring(5))
        .toList();
    assertThat(String.join(" ", argv)).contains("--queue shoal-tasks",
        "--vm-queue sb://shoal-ns.servicebus.windows.net/shoal-vm-tasks");
    // What the worker reads back is what the dispatcher meant, its VM's name as its id.
    String[] workerArgs = argv.subList(argv.indexOf(WorkerOptions.MAIN_CLASS) + 1, argv.size()).toArray(String[]::new);
    assertThat(WorkerOptions.parse(workerArgs)).isEqualTo(options.withWorkerId("workers_1a2b3c4d"));
    assertThat(WorkerOptions.parse(workerArgs).queues()).containsExactly("shoal-tasks",
        "sb://shoal-ns.servicebus.windows.net/shoal-vm-tasks");
    // Without one, the worker serves the task queue alone.
    assertThat(script(null).render()).doesNotContain("--vm-queue");
  }

  @Test
  void theVmOnlyQueueIsQuotedAsEveryArgumentIsAndTheShellNeverReadsIt() throws Exception {
    stub("java", "printf 'argv %s\\n' \"$@\" >> \"$CALLS\"");
    Path pwned = dir.resolve("pwned");
    // No queue is named so; a value the shell would split and run if it were not quoted.
    String hostile = "vm tasks'; touch " + pwned + "; echo '$(touch " + pwned + ")`touch " + pwned + "`";
    CustomDataScript script = new CustomDataScript("workers", OPTIONS.withVmQueue(hostile), URI.create(JAR), null,
        null, Duration.ofMinutes(1));

    assertThat(script.render()).contains("'--vm-queue' " + WorkerOptions.shellQuote(hostile));
    boot(script, Map.of());

    List<String> argv = calls().stream().filter(call -> call.startsWith("argv ")).map(call -> call.substring(5))
        .toList();
    assertThat(argv.get(argv.indexOf("--vm-queue") + 1)).isEqualTo(hostile);
    assertThat(pwned).doesNotExist();
  }

  @Test
  void asksForTheTokenOfAUserAssignedIdentityWhenGivenItsClientIdAndTellsTheWorkerToo() throws Exception {
    boot(script("9b2a6f0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"), Map.of());

    assertThat(calls()).first().asString()
        .contains("&resource=https%3A%2F%2Fstorage.azure.com%2F&client_id=9b2a6f0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b");
    assertThat(calls()).contains("env heartbeat= period= client=9b2a6f0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b");
  }

  @Test
  void theWorkerBeatsItsHeartbeatUnderItsVmsNameWhenThePoolReadsHeartbeats() throws Exception {
    boot(withHeartbeat(null), Map.of());

    assertThat(calls()).contains("env heartbeat=azblob://shoalartifacts.blob.core.windows.net/heartbeats/ready/workers/"
        + "workers_1a2b3c4d period=PT30S client=");
  }

  @Test
  void anIdentityThatGivesNoTokenIsTriedForAMinuteThenSaysWhyAndPowersOff() throws Exception {
    String out = boot(script(null), Map.of("TOKEN_FAILS", "1"));

    assertThat(calls()).filteredOn(call -> call.contains("oauth2/token")).hasSize(10);
    assertThat(calls()).filteredOn(call -> call.startsWith("sleep")).hasSize(10).allMatch("sleep 6"::equals);
    assertThat(out).contains("try 10 of 10", "shoal: no token for Blob storage from this VM's managed identity",
        "Storage Blob Data Reader", "shoal: powering off");
    assertThat(calls()).noneMatch(call -> call.contains("worker.jar"));
    assertThat(calls()).last().isEqualTo("shutdown -h now");
  }

  @Test
  void aJarThatCannotBeFetchedLeavesItsReasonOnTheConsoleAndPowersOff() throws Exception {
    String out = boot(script(null), Map.of("JAR_FAILS", "1"));

    assertThat(out).contains("shoal: could not fetch the worker jar " + JAR, "shoal: powering off");
    assertThat(calls()).noneMatch(call -> call.startsWith("java"));
    assertThat(calls()).last().isEqualTo("shutdown -h now");
  }

  @Test
  void installsJavaWithTimeoutsWhenTheImageHasNone() throws Exception {
    Path java = bin.resolve("java");
    Files.move(java, dir.resolve("java"));
    stub("apt-get", "echo \"apt-get $*\" >> \"$CALLS\"\ncase \"$*\" in *install*) /bin/cp -p \"" + dir.resolve("java")
        + "\" \"" + java + "\" ;; esac");

    String out = boot(script(null), Map.of());

    assertThat(calls()).filteredOn(call -> call.startsWith("apt-get")).containsExactly(
        "apt-get -o DPkg::Lock::Timeout=120 update -q",
        "apt-get -o DPkg::Lock::Timeout=120 install -y -q openjdk-17-jre-headless");
    assertThat(script(null).render()).contains("timeout 300 apt-get", "timeout 600 apt-get",
        "timeout 600 tdnf install -y -q msopenjdk-17", "timeout 600 dnf");
    assertThat(out).contains("shoal: installing Java 17", "worker workers_1a2b3c4d ready");
  }

  @Test
  void installsMicrosoftsJavaOnAzureLinux() throws Exception {
    Path java = bin.resolve("java");
    Files.move(java, dir.resolve("java"));
    stub("tdnf", "echo \"tdnf $*\" >> \"$CALLS\"\n/bin/cp -p \"" + dir.resolve("java") + "\" \"" + java + "\"");

    String out = boot(script(null), Map.of());

    assertThat(calls()).filteredOn(call -> call.startsWith("tdnf")).containsExactly("tdnf install -y -q msopenjdk-17");
    assertThat(out).contains("worker workers_1a2b3c4d ready");
  }

  @Test
  void anImageWithoutJavaOrAPackageManagerSaysSo() throws Exception {
    Files.delete(bin.resolve("java"));

    String out = boot(script(null), Map.of());

    assertThat(out).contains("shoal: could not install Java 17", "shoal: powering off");
    assertThat(calls()).noneMatch(call -> call.contains("oauth2"));
  }

  @Test
  void anImageWithoutCurlSaysSo() throws Exception {
    Files.delete(bin.resolve("curl"));

    String out = boot(script(null), Map.of());

    assertThat(out).contains("shoal: this image has no curl", "shoal: powering off");
    assertThat(calls()).containsExactly("shutdown -h now");
  }

  @Test
  void theCustomDataIsTheScriptInBase64WithinAzuresLimit() {
    CustomDataScript script = script(null);
    assertThat(new String(Base64.getDecoder().decode(script.base64()), StandardCharsets.UTF_8))
        .isEqualTo(script.render());

    WorkerOptions huge = OPTIONS.withQueue("q".repeat(60_000));
    assertThatThrownBy(() -> new CustomDataScript("workers", huge, URI.create(JAR), null, null, Duration.ofMinutes(1))
        .base64())
        .hasMessageContaining("over Azure's limit");
  }

  @Test
  void shellcheckFindsNothing() throws Exception {
    Path shellcheck = Path.of("/usr/bin/shellcheck");
    Assumptions.assumeTrue(Files.isExecutable(shellcheck), "shellcheck is not installed (apt-get install shellcheck)");
    for (CustomDataScript script : List.of(script(null), withHeartbeat("9b2a6f0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"),
        new CustomDataScript("workers", OPTIONS.withVmQueue("sb://shoal-ns.servicebus.windows.net/shoal-vm-tasks"),
            URI.create(JAR), null, null, Duration.ofMinutes(1)))) {
      Path file = dir.resolve("custom-data");
      Files.writeString(file, script.render());

      Process process = new ProcessBuilder(shellcheck.toString(), "--severity=style", file.toString())
          .redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(out).isEmpty();
      assertThat(process.exitValue()).isZero();
    }
  }
}
