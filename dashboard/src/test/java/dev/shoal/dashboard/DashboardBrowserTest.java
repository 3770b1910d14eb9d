package dev.shoal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.Arg;
import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.taskdb.TaskDatabase;
import dev.shoal.taskdb.TaskDatabaseReader;
import dev.shoal.taskdb.TaskQuery;
import dev.shoal.taskdb.TaskRecord;
import dev.shoal.taskdb.TaskState;
import dev.shoal.testing.Await;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The page in a real browser (chromium, headless; see {@link BrowserSession}): a live run on the
 * local cluster followed until it ends, and a report opened from disk.
 */
class DashboardBrowserTest {
  private static final Duration WAIT = BrowserSession.WAIT;
  /** Where the screenshot goes; docs/dashboard.png is a copy of a good one. */
  private static final Path SCREENSHOT = Path.of("target", "dashboard.png");

  private static BrowserSession browser;
  private static ChromeDriver driver;

  @TempDir Path dir;

  @BeforeAll
  static void startBrowser() {
    browser = BrowserSession.startIfAvailable();
    driver = browser == null ? null : browser.driver();
  }

  @BeforeEach
  void needsABrowser() {
    BrowserSession.assumeBrowser();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void theDashboardFollowsALiveRunOnTheLocalClusterUntilItEnds() throws Exception {
    Path database = dir.resolve("monitoring.db");
    Path gate = dir.resolve("gate");
    LocalCluster cluster = LocalCluster.builder()
        .minWorkers(0)
        .maxWorkers(2)
        .slotsPerWorker(2)
        .inProcessBurst(false)
        .logDir(dir.resolve("workers"))
        .configure(builder -> builder.maxTasksPerMessage(1).taskTimeout(WAIT))
        .configureScaling(builder -> builder.tick(Duration.ofMillis(200)))
        .build();
    TaskDatabase db = TaskDatabase.builder(database).flushEvery(Duration.ofMillis(50)).build();
    try (Dashboard dashboard = Dashboard.builder().database(database).build()) {
      String runId;
      long failedTask;
      try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(dir.resolve("runinfo")).program("DashboardBrowserTest")
          .executor(cluster).listener(db).build()) {
        runId = dfk.runId();
        List<AppFuture<Long>> sleeps = new ArrayList<>();
        for (long i = 0; i < 8; i++) {
          sleeps.add(dfk.call(DashboardTestApps.SLEEP, 150 + 60 * (i % 4), i));
        }
        List<AppFuture<Long>> squares = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          squares.add(dfk.call(DashboardTestApps.SQUARE, sleeps.get(i)));
        }
        dfk.call(DashboardTestApps.TOTAL, Arg.all(squares));
        AppFuture<Long> failed = dfk.call(DashboardTestApps.FAIL, DashboardTestApps.HOSTILE);
        failedTask = failed.taskId();
        dfk.call(DashboardTestApps.SQUARE, failed);
        AppFuture<Long> gated = dfk.call(DashboardTestApps.GATE, gate.toString());
        dfk.call(DashboardTestApps.SQUARE, gated);

        try {
          watchTheLiveRun(database, db, gate, runId, failedTask, dashboard.url());
        } finally {
          // Whatever happened, the gated task must not hold the run's end for its minute.
          if (!Files.exists(gate)) {
            Files.createFile(gate);
          }
        }
      }
      awaitTheEndAndTakeTheScreenshot(dashboard, database, runId, failedTask);
    }
  }

  private void watchTheLiveRun(Path database, TaskDatabase db, Path gate, String runId, long failedTask, URI url)
      throws Exception {
    // Everything but the gated task and the one after it has finished; the gated one waits on the queue.
    Await.until(WAIT, () -> {
      db.flush(Duration.ofSeconds(5));
      Map<TaskState, Long> counts = counts(database, runId);
      return counts.equals(Map.of(TaskState.DONE, 13L, TaskState.FAILED, 1L, TaskState.DEP_FAILED, 1L,
          TaskState.QUEUED, 1L, TaskState.PENDING, 1L));
    }, () -> "all but the gated tasks to finish: " + counts(database, runId));

    driver.get(url + "#/runs/" + runId);
    awaitPage(() -> "running".equals(text("#run-status")) && shownCounts().equals(columns(counts(database, runId))),
        () -> "the page to show the run running with the database's counts " + counts(database, runId)
            + "; it shows " + text("#run-status") + " " + shownCounts());
    assertThat(js("return window.shoalDashboard.polling")).isEqualTo(true);
    assertThat(text("[data-count=tasks]")).isEqualTo("17");

    try (TaskDatabaseReader reader = TaskDatabaseReader.open(database)) {
      List<TaskRecord> tasks = reader.tasks(runId, TaskQuery.first(100));
      long started = tasks.stream().filter(task -> task.started() != null).count();
      long edges = tasks.stream().mapToLong(task -> task.dependsOn().size()).sum();
      assertThat(started).isEqualTo(14);
      assertThat(edges).isEqualTo(10);
      awaitPage(() -> count("#gantt-svg rect.bar") == started, () -> "a bar per task that started, " + started
          + "; there are " + count("#gantt-svg rect.bar"));
      assertThat(count("#dag-svg circle.dag-node")).isEqualTo(tasks.size());
      assertThat(count("#dag-svg .dag-edge")).isEqualTo(edges);
      assertThat(count("#tasks-table tbody tr")).isEqualTo(tasks.size());

      // From the failed task in the table to its detail: the error as the database has it, as text.
      driver.findElement(By.cssSelector("#filter-state option[value='failed']")).click();
      awaitPage(() -> count("#tasks-table tbody tr") == 1, () -> "the table to show only the failed task");
      assertThat(js("return document.querySelector('#tasks-table tbody tr').dataset.taskId"))
          .isEqualTo(String.valueOf(failedTask));
      driver.findElement(By.cssSelector("#tasks-table tbody tr")).click();
      String error = reader.task(runId, failedTask).orElseThrow().error();
      assertThat(error).contains(DashboardTestApps.HOSTILE);
      awaitPage(() -> error.equals(textContent("#task-error")), () -> "the failed task's error in its detail; "
          + "the page shows " + textContent("#task-error"));
      assertThat(driver.getCurrentUrl()).endsWith("#/runs/" + runId + "/tasks/" + failedTask);
      assertThat(textContent("#tasks-table .error-cell")).isEqualTo(error);
      assertThat(js("return document.querySelectorAll('#events-table tbody tr').length"))
          .isEqualTo((long) reader.events(runId, failedTask).size());
      assertNothingInjected(2);
    }

    // The page refreshes by itself: the gated tasks finish while it watches.
    long refreshes = (Long) js("return window.shoalDashboard.refreshes");
    Files.createFile(gate);
    awaitPage(() -> Long.valueOf(15).equals(shownCounts().get("done")),
        () -> "the page to show the gated tasks done; it shows " + shownCounts());
    assertThat((Long) js("return window.shoalDashboard.refreshes")).isGreaterThan(refreshes);
  }

  private void awaitTheEndAndTakeTheScreenshot(Dashboard dashboard, Path database, String runId, long failedTask)
      throws Exception {

    // The run has ended: the page says so, shows the final counts and stops polling.
    awaitPage(() -> "ended".equals(text("#run-status")) && Boolean.FALSE.equals(js("return window.shoalDashboard.polling")),
        () -> "the page to show the run ended and stop polling; it shows " + text("#run-status"));
    assertThat(shownCounts()).isEqualTo(columns(counts(database, runId)))
        .isEqualTo(Map.of("done", 15L, "failed", 1L, "dep_failed", 1L));
    assertThat(text("#live")).contains("not refreshing");
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(database)) {
      assertThat(count("#workers-table tbody tr")).isEqualTo(reader.workers(runId).size());
      assertThat(count("#scaling-list li")).isEqualTo(reader.scaling(runId).size()).isPositive();
      assertThat(count("#apps-table tbody tr")).isEqualTo(reader.appStatistics(runId).size());
    }
    assertNothingInjected(2);

    // A fresh load of the run with the failed task open, for the screenshot.
    driver.get(dashboard.url() + "#/runs/" + runId + "/tasks/" + failedTask);
    driver.navigate().refresh();
    awaitPage(() -> textContent("#task-error") != null && "ended".equals(text("#run-status"))
        && count("#tasks-table tbody tr") == 17, () -> "the run with the failed task open");
    screenshot(SCREENSHOT);

    driver.get(dashboard.url() + "#/");
    awaitPage(() -> count("#runs-table tbody tr") == 1, () -> "the list of runs");
    assertThat(js("return document.querySelector('#runs-table tbody tr').dataset.runId")).isEqualTo(runId);
  }

  @Test
  void theReportOpensFromDiskWithNoServerAndShowsTheRun() throws Exception {
    RecordedRun run = RecordedRun.onThreads(dir);
    Path report = dir.resolve("report.html");
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(run.database())) {
      Report.write(reader, run.runId(), report);
      driver.get(report.toUri().toString());
      awaitPage(() -> "ended".equals(text("#run-status")), () -> "the report's summary");
      assertThat(shownCounts()).isEqualTo(columns(reader.stateCounts(run.runId())));
      assertThat(text("#run-title")).isEqualTo(run.runId());
      assertThat(count("#gantt-svg rect.bar")).isEqualTo(6);
      assertThat(count("#dag-svg circle.dag-node")).isEqualTo(7);
      assertThat(count("#apps-table tbody tr")).isEqualTo(3);
      assertThat(count("#failures-table tbody tr")).isEqualTo(1);
      assertThat(textContent("#failures-table pre.error"))
          .isEqualTo(reader.task(run.runId(), run.failedTask()).orElseThrow().error());
      assertThat(count("#workers-table tbody tr")).isEqualTo(reader.workers(run.runId()).size());
      // Nothing was fetched: not a script, a style, an image or a font.
      assertThat(js("return performance.getEntriesByType('resource').length")).isEqualTo(0L);
      // Its data, and the two scripts inlined.
      assertNothingInjected(3);
    }
  }

  @Test
  void anUnknownRunIsSaidSoAsTextAndThePageKeepsTrying() throws Exception {
    RecordedRun run = RecordedRun.onThreads(dir);
    try (Dashboard dashboard = Dashboard.builder().database(run.database()).build()) {
      // A link to a run with markup in its id, as another page might craft it.
      driver.get(dashboard.url() + "#/runs/" + java.net.URLEncoder.encode("<img src=x onerror=window.shoalPwned=3>",
          java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
      browser.await(() -> browser.textContent("#error-banner") != null, () -> "the page to say there is no such run");
      assertThat(browser.textContent("#error-banner"))
          .isEqualTo("no run '<img src=x onerror=window.shoalPwned=3>' in the task database");
      assertThat(js("return window.shoalDashboard.polling")).isEqualTo(true);
      assertNothingInjected(2);
      // From the list of runs, the real one.
      driver.get(dashboard.url() + "#/");
      browser.await(() -> count("#runs-table tbody tr") == 1, () -> "the list of runs");
      driver.findElement(org.openqa.selenium.By.cssSelector("#runs-table tbody tr a")).click();
      browser.await(() -> "ended".equals(text("#run-status")), () -> "the run, from its link");
      assertThat(driver.getCurrentUrl()).endsWith("#/runs/" + run.runId());
      assertThat(count("#error-banner")).isZero();
    }
  }

  /** The hostile error was shown, never run or rendered: no script of its own, no image, no bold. */
  private static void assertNothingInjected(long scripts) {
    assertThat(js("return typeof window.shoalPwned")).isEqualTo("undefined");
    assertThat(count("#app img, #app b, #app script, #banner img")).isZero();
    assertThat(count("script")).isEqualTo(scripts);
  }

  private static Map<TaskState, Long> counts(Path database, String runId) {
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(database)) {
      return reader.stateCounts(runId);
    }
  }

  /** The counts the database has, as the page names them, left out where none, as the page does past its cards. */
  private static Map<String, Long> columns(Map<TaskState, Long> counts) {
    Map<String, Long> columns = new HashMap<>();
    counts.forEach((state, count) -> columns.put(state.column(), count));
    return columns;
  }

  /** The counts by state on the page's summary; the zero ones left out. */
  @SuppressWarnings("unchecked")
  private static Map<String, Long> shownCounts() {
    Object shown = js("const out = {};"
        + "for (const e of document.querySelectorAll('[data-state-count]')) {"
        + "  const n = Number(e.textContent.replace(/,/g, '')); if (n) { out[e.dataset.stateCount] = n; } }"
        + "return out;");
    return shown == null ? Map.of() : new HashMap<>((Map<String, Long>) shown);
  }

  private static Object js(String script) {
    return browser.js(script);
  }

  private static long count(String selector) {
    return browser.count(selector);
  }

  private static String text(String selector) {
    return browser.text(selector);
  }

  private static String textContent(String selector) {
    return browser.textContent(selector);
  }

  private static void awaitPage(java.util.function.BooleanSupplier condition, Supplier<String> what) {
    Await.until(WAIT, condition, what);
  }

  private static void screenshot(Path file) throws Exception {
    browser.screenshot(file);
  }
}
