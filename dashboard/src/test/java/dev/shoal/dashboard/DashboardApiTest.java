package dev.shoal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.taskdb.AppStatistics;
import dev.shoal.taskdb.RunRecord;
import dev.shoal.taskdb.TaskDatabaseReader;
import dev.shoal.taskdb.TaskEventRecord;
import dev.shoal.taskdb.TaskQuery;
import dev.shoal.taskdb.TaskRecord;
import dev.shoal.taskdb.TaskState;
import dev.shoal.taskdb.ThroughputPoint;
import dev.shoal.taskdb.WorkerRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON API over a database a real run on the thread executor filled, checked against the reader. */
class DashboardApiTest {
  @TempDir static Path dir;

  private static RecordedRun run;
  private static Dashboard dashboard;
  private static ApiClient api;
  private static TaskDatabaseReader reader;

  @BeforeAll
  static void recordAndServe() {
    run = RecordedRun.onThreads(dir);
    dashboard = Dashboard.builder().database(run.database()).port(0).build();
    api = new ApiClient(dashboard.url());
    reader = TaskDatabaseReader.open(run.database());
  }

  @AfterAll
  static void stop() {
    if (reader != null) {
      reader.close();
    }
    if (dashboard != null) {
      dashboard.close();
    }
  }

  private static String runPath() {
    return "/api/runs/" + run.runId();
  }

  private static long micros(Instant at) {
    return JsonMapping.micros(at);
  }

  @Test
  void itListensOnLoopbackOnAPortOfItsOwn() {
    assertThat(dashboard.address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(dashboard.address().getPort()).isPositive();
    assertThat(dashboard.url()).isEqualTo(URI.create("http://127.0.0.1:" + dashboard.address().getPort() + "/"));
  }

  @Test
  void theRunsAreTheReadersWithTimesInMicroseconds() {
    JsonNode runs = api.json("/api/runs");
    List<RunRecord> expected = reader.runs();
    assertThat(runs.size()).isEqualTo(expected.size()).isEqualTo(1);
    JsonNode first = runs.get(0);
    RunRecord record = expected.get(0);
    assertThat(first.get("runId").asText()).isEqualTo(record.runId()).isEqualTo(run.runId());
    assertThat(first.get("started").asLong()).isEqualTo(micros(record.started()));
    assertThat(first.get("ended").asLong()).isEqualTo(micros(record.ended()));
    assertThat(first.get("program").asText()).isEqualTo("DashboardTest <run>");
    assertThat(first.get("executors").get(0).asText()).isEqualTo("threads");
    assertThat(first.get("submitted").asLong()).isEqualTo(record.submitted()).isEqualTo(7);
    assertThat(first.get("succeeded").asLong()).isEqualTo(record.succeeded()).isEqualTo(5);
    assertThat(first.get("failed").asLong()).isEqualTo(record.failed()).isEqualTo(1);
    assertThat(first.get("dependencyFailed").asLong()).isEqualTo(record.dependencyFailed()).isEqualTo(1);
  }

  @Test
  void aRunsSummaryCountsItsTasksByState() {
    JsonNode summary = api.json(runPath());
    RunRecord record = reader.run(run.runId()).orElseThrow();
    assertThat(summary.get("run").get("runId").asText()).isEqualTo(run.runId());
    assertThat(summary.get("running").asBoolean()).isFalse();
    Map<String, Long> states = new HashMap<>();
    summary.get("states").properties().forEach(e -> states.put(e.getKey(), e.getValue().asLong()));
    Map<String, Long> expected = new HashMap<>();
    reader.stateCounts(run.runId()).forEach((state, count) -> expected.put(state.column(), count));
    assertThat(states).isEqualTo(expected).isEqualTo(Map.of("done", 5L, "failed", 1L, "dep_failed", 1L));
    assertThat(summary.get("tasks").asLong()).isEqualTo(7);
    assertThat(summary.get("finished").asLong()).isEqualTo(7);
    long elapsed = micros(record.ended()) - micros(record.started());
    assertThat(summary.get("elapsed").asLong()).isEqualTo(elapsed);
    assertThat(summary.get("asOf").asLong()).isEqualTo(micros(record.ended()));
    assertThat(summary.get("finishedPerSecond").asDouble()).isCloseTo(7 / (elapsed / 1e6),
        org.assertj.core.data.Percentage.withPercentage(0.01));
  }

  @Test
  void theTaskTableFiltersByStateAppAndTextAndPages() {
    JsonNode all = api.json(runPath() + "/tasks");
    assertThat(all.get("total").asLong()).isEqualTo(7);
    assertThat(all.get("offset").asInt()).isZero();
    assertThat(all.get("limit").asInt()).isEqualTo(ApiHandler.DEFAULT_PAGE);
    assertThat(taskIds(all)).isEqualTo(reader.tasks(run.runId(), TaskQuery.first(50)).stream()
        .map(TaskRecord::taskId).toList());

    JsonNode failed = api.json(runPath() + "/tasks?state=failed");
    assertThat(taskIds(failed)).containsExactly(run.failedTask());
    TaskRecord failure = reader.task(run.runId(), run.failedTask()).orElseThrow();
    // The hostile error comes back as data, character for character.
    assertThat(failed.get("tasks").get(0).get("error").asText()).isEqualTo(failure.error())
        .isEqualTo("java.lang.IllegalArgumentException: " + DashboardTestApps.HOSTILE);
    assertThat(failed.get("tasks").get(0).get("state").asText()).isEqualTo("failed");

    assertThat(taskIds(api.json(runPath() + "/tasks?state=DEP_FAILED"))).containsExactly(run.depFailedTask());
    JsonNode squares = api.json(runPath() + "/tasks?app=dash.square");
    assertThat(squares.get("total").asLong()).isEqualTo(5);
    assertThat(taskIds(squares)).isEqualTo(reader.tasks(run.runId(), TaskQuery.first(50).ofApp("dash.square"))
        .stream().map(TaskRecord::taskId).toList());
    JsonNode text = api.json(runPath() + "/tasks?q=" + encode("<script>window.shoalPwned"));
    assertThat(taskIds(text)).containsExactly(run.failedTask(), run.depFailedTask());
    assertThat(taskIds(api.json(runPath() + "/tasks?state=done&app=dash.square&q=shoal-threads")))
        .isEqualTo(reader.tasks(run.runId(), TaskQuery.first(50).inState(TaskState.DONE).ofApp("dash.square")
            .containing("shoal-threads")).stream().map(TaskRecord::taskId).toList()).hasSize(4);

    JsonNode page = api.json(runPath() + "/tasks?offset=2&limit=3");
    assertThat(page.get("total").asLong()).isEqualTo(7);
    assertThat(taskIds(page)).isEqualTo(reader.tasks(run.runId(), TaskQuery.first(3).from(2)).stream()
        .map(TaskRecord::taskId).toList()).hasSize(3);
    // Empty filter fields are no filter, as the page sends them.
    assertThat(api.json(runPath() + "/tasks?state=&app=&q=").get("total").asLong()).isEqualTo(7);
  }

  @Test
  void aTaskComesWithItsRowAndEveryEvent() {
    JsonNode detail = api.json(runPath() + "/tasks/" + run.totalTask());
    TaskRecord total = reader.task(run.runId(), run.totalTask()).orElseThrow();
    JsonNode task = detail.get("task");
    assertThat(task.get("taskId").asLong()).isEqualTo(run.totalTask());
    assertThat(task.get("app").asText()).isEqualTo("dash.total");
    assertThat(task.get("state").asText()).isEqualTo("done");
    assertThat(task.get("worker").asText()).isEqualTo(total.worker());
    assertThat(task.get("argsDigest").asText()).isEqualTo(total.argsDigest());
    assertThat(task.get("started").asLong()).isEqualTo(micros(total.started()));
    assertThat(task.get("ended").asLong()).isEqualTo(micros(total.ended()));
    assertThat(task.get("queued").isNull()).isTrue();
    assertThat(StreamSupport.stream(task.get("dependsOn").spliterator(), false).map(JsonNode::asLong).toList())
        .isEqualTo(run.squares());
    List<TaskEventRecord> events = reader.events(run.runId(), run.totalTask());
    JsonNode served = detail.get("events");
    assertThat(served.size()).isEqualTo(events.size());
    for (int i = 0; i < events.size(); i++) {
      assertThat(served.get(i).get("transition").asText()).isEqualTo(events.get(i).transition());
      assertThat(served.get(i).get("at").asLong()).isEqualTo(micros(events.get(i).at()));
      assertThat(served.get(i).get("attempt").asInt()).isEqualTo(events.get(i).attempt());
    }
    assertThat(api.json(runPath() + "/tasks/" + run.failedTask()).get("events").findValuesAsText("transition"))
        .contains("FAILED");
  }

  @Test
  void workersScalingAndAppsAreTheReaders() {
    JsonNode workers = api.json(runPath() + "/workers");
    List<WorkerRecord> expected = reader.workers(run.runId());
    assertThat(workers.size()).isEqualTo(expected.size()).isPositive();
    for (int i = 0; i < expected.size(); i++) {
      assertThat(workers.get(i).get("worker").asText()).isEqualTo(expected.get(i).worker());
      assertThat(workers.get(i).get("tasksRun").asLong()).isEqualTo(expected.get(i).tasksRun());
      assertThat(workers.get(i).get("firstTask").asLong()).isEqualTo(micros(expected.get(i).firstTask()));
    }
    assertThat(api.json(runPath() + "/scaling").size()).isEqualTo(reader.scaling(run.runId()).size()).isZero();

    JsonNode apps = api.json(runPath() + "/apps");
    List<AppStatistics> statistics = reader.appStatistics(run.runId());
    assertThat(apps.size()).isEqualTo(statistics.size()).isEqualTo(3);
    for (int i = 0; i < statistics.size(); i++) {
      AppStatistics s = statistics.get(i);
      JsonNode a = apps.get(i);
      assertThat(a.get("app").asText()).isEqualTo(s.app());
      assertThat(a.get("tasks").asLong()).isEqualTo(s.tasks());
      assertThat(a.get("done").asLong()).isEqualTo(s.done());
      assertThat(a.get("failed").asLong()).isEqualTo(s.failed());
      assertThat(a.get("dependencyFailed").asLong()).isEqualTo(s.dependencyFailed());
      if (s.medianRunTime() == null) {
        assertThat(a.get("medianRunTime").isNull()).isTrue();
      } else {
        assertThat(a.get("medianRunTime").asLong()).isEqualTo(s.medianRunTime().toNanos() / 1_000);
      }
    }
  }

  @Test
  void throughputIsTheReadersBucketsWithQueueAndRunningAdded() {
    JsonNode activity = api.json(runPath() + "/throughput?bucket=100ms");
    assertThat(activity.get("bucket").asLong()).isEqualTo(100_000);
    List<ThroughputPoint> expected = reader.throughput(run.runId(), Duration.ofMillis(100));
    JsonNode points = activity.get("points");
    long started = 0;
    long finished = 0;
    long failed = 0;
    Map<Long, JsonNode> byFrom = new HashMap<>();
    for (JsonNode point : points) {
      started += point.get("started").asLong();
      finished += point.get("finished").asLong();
      failed += point.get("failed").asLong();
      byFrom.put(point.get("from").asLong(), point);
      assertThat(point.get("running").asDouble()).isGreaterThanOrEqualTo(0);
    }
    assertThat(started).isEqualTo(expected.stream().mapToLong(ThroughputPoint::started).sum()).isEqualTo(6);
    assertThat(finished).isEqualTo(7);
    assertThat(failed).isEqualTo(2);
    for (ThroughputPoint point : expected) {
      JsonNode served = byFrom.get(micros(point.from()));
      assertThat(served).as("the point at %s", point.from()).isNotNull();
      assertThat(served.get("finished").asLong()).isEqualTo(point.finished());
    }
    // Without a bucket, one that cuts the run into at most about a hundred.
    JsonNode byDefault = api.json(runPath() + "/throughput");
    assertThat(byDefault.get("points").size()).isBetween(1, Activity.DEFAULT_POINTS);
    assertThat(api.json(runPath() + "/throughput?bucket=PT0.5S").get("bucket").asLong()).isEqualTo(500_000);
    assertThat(api.json(runPath() + "/throughput?bucket=2s").get("bucket").asLong()).isEqualTo(2_000_000);
  }

  @Test
  void theDagHasATaskPerNodeAnEdgePerInputAndLayersByDepth() {
    JsonNode dag = api.json(runPath() + "/dag");
    assertThat(dag.get("collapsed").asBoolean()).isFalse();
    assertThat(dag.get("tasks").asLong()).isEqualTo(7);
    assertThat(dag.get("nodes").size()).isEqualTo(7);
    assertThat(dag.get("layers").asInt()).isEqualTo(2);
    Map<Long, Integer> layers = new HashMap<>();
    for (JsonNode node : dag.get("nodes")) {
      layers.put(node.get("taskId").asLong(), node.get("layer").asInt());
    }
    assertThat(layers.get(run.totalTask())).isEqualTo(1);
    assertThat(layers.get(run.depFailedTask())).isEqualTo(1);
    assertThat(layers.get(run.failedTask())).isZero();
    run.squares().forEach(square -> assertThat(layers.get(square)).isZero());
    List<String> edges = new ArrayList<>();
    for (JsonNode edge : dag.get("edges")) {
      edges.add(edge.get("from").asText() + ">" + edge.get("to").asText());
    }
    List<String> expected = new ArrayList<>();
    for (TaskRecord task : reader.tasks(run.runId(), TaskQuery.first(100))) {
      task.dependsOn().forEach(input -> expected.add("t" + input + ">t" + task.taskId()));
    }
    assertThat(edges).containsExactlyInAnyOrderElementsOf(expected).hasSize(5);
  }

  @Test
  void theTimelineHasABarPerTaskThatStartedOnItsWorkersRow() {
    JsonNode timeline = api.json(runPath() + "/timeline");
    List<TaskRecord> started = reader.tasks(run.runId(), TaskQuery.first(100)).stream()
        .filter(task -> task.started() != null).toList();
    assertThat(timeline.get("started").asLong()).isEqualTo(started.size()).isEqualTo(6);
    assertThat(timeline.get("bars").size()).isEqualTo(6);
    assertThat(timeline.get("aggregate").isNull()).isTrue();
    for (JsonNode bar : timeline.get("bars")) {
      TaskRecord task = reader.task(run.runId(), bar.get("taskId").asLong()).orElseThrow();
      assertThat(timeline.get("rows").get(bar.get("row").asInt()).get("worker").asText()).isEqualTo(task.worker());
      assertThat(bar.get("start").asLong()).isEqualTo(micros(task.started()));
      assertThat(bar.get("end").asLong()).isEqualTo(micros(task.ended()));
      assertThat(bar.get("state").asText()).isEqualTo(task.state().column());
      assertThat(bar.get("open").asBoolean()).isFalse();
    }
  }

  @Test
  void unknownRunsTasksAndPathsAre404WithAMessage() {
    assertError(api.get("/api/runs/no-such-run"), 404, "no run 'no-such-run'");
    assertError(api.get("/api/runs/no-such-run/tasks"), 404, "no run 'no-such-run'");
    assertError(api.get("/api/runs/no-such-run/dag"), 404, "no run 'no-such-run'");
    assertError(api.get(runPath() + "/tasks/999999"), 404, "no task 999999");
    assertError(api.get(runPath() + "/tasks/abc"), 404, "no task 'abc'");
    assertError(api.get(runPath() + "/bogus"), 404, "no such API path");
    assertError(api.get(runPath() + "/tasks/1/more"), 404, "no such API path");
    assertError(api.get("/api/other"), 404, "no such API path");
    assertError(api.get("/api/runs/" + run.runId() + "/state?unknown=1"), 404, "no such API path");
    // A run id with markup is named back as data, in JSON.
    assertError(api.get("/api/runs/%3Cscript%3E"), 404, "no run '<script>'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/tasks?state=bogus", "/tasks?offset=-1", "/tasks?limit=0", "/tasks?limit=abc",
      "/tasks?limit=5000", "/tasks?offset=1.5", "/throughput?bucket=zz", "/throughput?bucket=0s",
      "/throughput?bucket=-1s", "/throughput?bucket=PT-1S", "/throughput?bucket=10us", "/throughput?bucket=0.5ms"})
  void malformedParametersAre400WithAMessage(String query) {
    HttpResponse<String> response = api.get(runPath() + query);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(api.parse(response.body()).get("error").asText()).isNotBlank();
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
        assertThat(type).startsWith("application/json"));
  }

  @Test
  void theApiIsReadOnly() {
    HttpResponse<String> post = api.send(HttpRequest.newBuilder(dashboard.url().resolve("/api/runs"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertError(post, 405, "read-only");
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(api.send(HttpRequest.newBuilder(dashboard.url().resolve("/"))
        .DELETE().build()).statusCode()).isEqualTo(405);
  }

  @Test
  void thePageIsServedWithAPolicyThatAllowsNothingButItself() {
    HttpResponse<String> page = api.get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy ->
        assertThat(policy).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'")
            .doesNotContain("unsafe-inline"));
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.body()).contains("shoal-common.js", "dashboard.js", "shoal.css");
    assertThat(page.body()).doesNotContainPattern("(src|href)\\s*=\\s*\"?https?:");
    for (String asset : List.of("/shoal-common.js", "/dashboard.js", "/shoal.css")) {
      HttpResponse<String> response = api.get(asset);
      assertThat(response.statusCode()).as(asset).isEqualTo(200);
      // The scripts build the page from text nodes: no innerHTML, outerHTML, insertAdjacentHTML or document.write.
      assertThat(response.body()).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
          "eval(");
    }
    assertThat(api.get("/pom.xml").statusCode()).isEqualTo(404);
    assertThat(api.get("/../pom.xml").statusCode()).isEqualTo(404);
    assertThat(api.get("/web/index.html").statusCode()).isEqualTo(404);
  }

  @Test
  void aRequestNamingAnotherHostIsRefusedOnLoopbackAndMalformedEscapesAre400() throws Exception {
    assertThat(rawStatus("evil.example:" + dashboard.address().getPort(), "/api/runs")).isEqualTo(403);
    assertThat(rawStatus("evil.example", "/")).isEqualTo(403);
    assertThat(rawStatus("localhost:" + dashboard.address().getPort(), "/api/runs")).isEqualTo(200);
    assertThat(rawStatus("127.0.0.1:" + dashboard.address().getPort(), "/")).isEqualTo(200);
    // Malformed escapes, which HttpClient would not send either.
    assertThat(rawStatus("127.0.0.1", "/api/runs/" + run.runId() + "/tasks?app=%zz")).isEqualTo(400);
    assertThat(rawStatus("127.0.0.1", "/api/runs/%E0%A4")).isEqualTo(400);
    assertThat(HostCheck.hostName("[::1]:8080")).isEqualTo("[::1]");
    assertThat(HostCheck.hostName("LOCALHOST")).isEqualTo("localhost");
  }

  /** A request written by hand: HttpClient will not send a Host header of the caller's choosing. */
  private static int rawStatus(String host, String path) throws Exception {
    try (Socket socket = new Socket(dashboard.address().getAddress(), dashboard.address().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  void aDashboardOnADatabaseThatDoesNotExistYetWaitsForItsFirstRun() {
    try (Dashboard empty = Dashboard.builder().database(dir.resolve("later.db")).build()) {
      ApiClient client = new ApiClient(empty.url());
      assertThat(client.json("/api/runs").size()).isZero();
      assertError(client.get("/api/runs/x"), 404, "no task database");
    }
  }

  private static List<Long> taskIds(JsonNode page) {
    List<Long> ids = new ArrayList<>();
    page.get("tasks").forEach(task -> ids.add(task.get("taskId").asLong()));
    return ids;
  }

  private static String encode(String text) {
    return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static void assertError(HttpResponse<String> response, int status, String message) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    JsonNode body = api.parse(response.body());
    assertThat(body.get("status").asInt()).isEqualTo(status);
    assertThat(body.get("error").asText()).contains(message);
  }
}
