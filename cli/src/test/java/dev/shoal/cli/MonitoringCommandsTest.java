package dev.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.cli.CliRun.Result;
import dev.shoal.taskdb.RunRecord;
import dev.shoal.taskdb.TaskDatabaseReader;
import dev.shoal.testing.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shoal run}, {@code shoal report} and {@code shoal dashboard} on real runs and their task database. */
class MonitoringCommandsTest {
  private final CliRun shoal = CliRun.shoal();

  @TempDir Path dir;

  /** A program run through {@code shoal run} on a configuration of threads; returns its run id. */
  private String runSample(int count) throws Exception {
    Path config = dir.resolve("shoal.yaml");
    Files.writeString(config, "runDir: " + dir.resolve("runs") + "\nexecutors:\n  - type: threads\n    threads: 2\n");
    Result result = shoal.run("run", "--config", config.toString(), "--progress", "off",
        SampleProgram.class.getName(), String.valueOf(count));
    assertThat(result.exit()).as("%s", result).isZero();
    Matcher run = Pattern.compile("run (\\S+): sum of squares (\\d+)").matcher(result.out());
    assertThat(run.find()).as("%s", result).isTrue();
    assertThat(Long.parseLong(run.group(2))).isEqualTo((long) count * (count + 1) * (2L * count + 1) / 6);
    return run.group(1);
  }

  @Test
  void runStartsTheProgramOnItsConfigurationAndTheRunIsRecorded() throws Exception {
    String runId = runSample(5);
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(dir.resolve("runs/monitoring.db"))) {
      RunRecord run = reader.run(runId).orElseThrow();
      assertThat(run.submitted()).isEqualTo(6);
      assertThat(run.succeeded()).isEqualTo(6);
      assertThat(run.program()).startsWith(SampleProgram.class.getName() + " 5");
    }
  }

  @Test
  void optionsAfterTheProgramAreTheProgramsOwn() throws Exception {
    Files.writeString(dir.resolve("shoal.yaml"), "runDir: " + dir.resolve("runs") + "\nmonitoring:\n  database: off\n");
    Result result = shoal.run("run", "--config", dir.resolve("shoal.yaml").toString(), SampleProgram.class.getName(),
        "2", "--progress", "loud", "--tasks", "10");
    assertThat(result.exit()).as("%s", result).isZero();
    assertThat(result.out()).contains("arguments [2, --progress, loud, --tasks, 10]");
  }

  @Test
  void runExitsWithTheProgramsStatusAndSaysWhatItCannotStart() throws Exception {
    Files.writeString(dir.resolve("shoal.yaml"), "runDir: " + dir.resolve("runs") + "\nmonitoring:\n  database: off\n");
    Result failing = shoal.run("run", "--config", dir.resolve("shoal.yaml").toString(), "--progress", "off",
        SampleProgram.class.getName(), "2", "3");
    assertThat(failing.exit()).as("%s", failing).isEqualTo(3);

    Result noJar = shoal.run("run", dir.resolve("missing.jar").toString());
    assertThat(noJar.exit()).isEqualTo(1);
    assertThat(noJar.err()).contains("no jar ").contains("missing.jar");

    Path jar = dir.resolve("nomain.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest())) {
      out.flush();
    }
    Result noMain = shoal.run("run", jar.toString());
    assertThat(noMain.exit()).isEqualTo(1);
    assertThat(noMain.err()).contains("names no Main-Class: give it with --main CLASS");

    Result badProgress = shoal.run("run", "--progress", "loud", SampleProgram.class.getName(), "1");
    assertThat(badProgress.exit()).isEqualTo(1);
    assertThat(badProgress.err()).contains("--progress must be auto, bar, log or off, not loud");
  }

  private static Manifest manifest() {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    return manifest;
  }

  @Test
  void reportWritesOneHtmlFileOfTheLatestOrANamedRun() throws Exception {
    String first = runSample(3);
    String second = runSample(4);
    Path db = dir.resolve("runs/monitoring.db");

    Result latest = shoal.run("report", "--db", db.toString(), "-o", dir.resolve("latest.html").toString());
    assertThat(latest.exit()).as("%s", latest).isZero();
    assertThat(latest.out()).contains("report of run " + second);
    assertThat(Files.readString(dir.resolve("latest.html"))).contains(second).doesNotContain(first);

    Result named = shoal.env(Map.of(MonitoringDatabase.VARIABLE, db.toString()))
        .run("report", first, "--output", dir.resolve("first.html").toString());
    assertThat(named.exit()).as("%s", named).isZero();
    assertThat(Files.readString(dir.resolve("first.html"))).contains(first);

    Result unknown = shoal.run("report", "--db", db.toString(), "run-nope");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("no run 'run-nope' in").contains(second);

    Result noDatabase = shoal.run("report", "--db", dir.resolve("none.db").toString());
    assertThat(noDatabase.exit()).isEqualTo(1);
    assertThat(noDatabase.err()).contains("no task database at");
  }

  static final dev.shoal.app.App1<String, Long> FAIL = dev.shoal.app.Apps.define("sample.fail")
      .java(String.class, Long.class, message -> {
        throw new IllegalStateException(message);
      });

  @Test
  void statusShowsTheTasksOfARunByStateAndItsLastFailures() throws Exception {
    Path db = dir.resolve("status.db");
    String runId;
    try (dev.shoal.DataFlowKernel dfk = dev.shoal.DataFlowKernel.builder().runDir(dir.resolve("runs"))
        .listener(dev.shoal.taskdb.TaskDatabase.open(db)).build()) {
      runId = dfk.runId();
      dfk.call(SampleProgram.SQUARE, 2L).join();
      dfk.call(SampleProgram.SQUARE, dfk.call(FAIL, "disk full on node 7")).exceptionally(error -> 0L).join();
    }
    Result status = shoal.run("status", "--run", "--db", db.toString());
    assertThat(status.exit()).as("%s", status).isZero();
    assertThat(status.out()).contains("run " + runId).contains("ended ")
        .containsPattern("done\\s+1").containsPattern("failed\\s+1").containsPattern("dep_failed\\s+1")
        .contains("sample.fail").contains("java.lang.IllegalStateException: disk full on node 7");

    Result json = shoal.run("status", "--run", runId, "--db", db.toString(), "--json");
    assertThat(json.exit()).as("%s", json).isZero();
    JsonNode parsed = new ObjectMapper().readTree(json.out());
    assertThat(parsed.get("runId").asText()).isEqualTo(runId);
    assertThat(parsed.get("tasks").get("done").asLong()).isEqualTo(1);
    assertThat(parsed.get("lastFailures")).hasSize(2);

    Result unknown = shoal.run("status", "--run", "run-nope", "--db", db.toString());
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("no run 'run-nope'");
  }

  @Test
  void dashboardServesTheDatabaseUntilInterrupted() throws Exception {
    String runId = runSample(3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AtomicInteger exit = new AtomicInteger(-1);
    CliContext context = new CliContext(Map.of(), new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true),
        DispatcherFactory.standard());
    Thread serving = new Thread(() -> exit.set(Shoal.execute(context, "dashboard", "--port", "0", "--db",
        dir.resolve("runs/monitoring.db").toString())));
    serving.start();
    URI url = Await.untilPresent(Duration.ofSeconds(30), () -> {
      Matcher at = Pattern.compile(" at (http://\\S+) ").matcher(out.toString(StandardCharsets.UTF_8));
      return at.find() ? java.util.Optional.of(URI.create(at.group(1))) : java.util.Optional.empty();
    }, () -> "the dashboard to say where it is: " + out);
    assertThat(url.getHost()).isEqualTo("127.0.0.1");
    HttpResponse<String> runs = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(url.resolve("/api/runs")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(runs.statusCode()).isEqualTo(200);
    JsonNode listed = new ObjectMapper().readTree(runs.body());
    assertThat(listed.toString()).contains(runId);

    serving.interrupt();
    serving.join(Duration.ofSeconds(30).toMillis());
    assertThat(serving.isAlive()).isFalse();
    assertThat(exit.get()).isZero();
  }
}
