package dev.shoal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.taskdb.TaskDatabaseReader;
import dev.shoal.taskdb.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs too large to draw one element per task: a canvas for thousands of bars, an aggregate for
 * more, the DAG collapsed by app beyond a few thousand tasks; in the browser and in the report.
 */
class LargeRunBrowserTest {
  @TempDir static Path dir;

  private static BrowserSession browser;
  private static Path database;
  private static String thousands;
  private static String tensOfThousands;

  @BeforeAll
  static void writeRuns() {
    browser = BrowserSession.startIfAvailable();
    if (browser == null) {
      return;
    }
    database = dir.resolve("large.db");
    thousands = SyntheticRun.write(database, 2_500, 16);
    tensOfThousands = SyntheticRun.write(database, 12_000, 32);
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
  void thousandsOfBarsAreDrawnOnACanvasAndTheDagTaskByTask() throws Exception {
    try (Dashboard dashboard = Dashboard.builder().database(database).build()) {
      JsonNode timeline = new ApiClient(dashboard.url()).json("/api/runs/" + thousands + "/timeline");
      assertThat(timeline.get("bars").size()).isEqualTo(timeline.get("started").asInt()).isGreaterThan(2_000);
      browser.open(dashboard.url() + "#/runs/" + thousands);
      browser.await(() -> "ended".equals(browser.text("#run-status")) && browser.count("#gantt-canvas") == 1,
          () -> "the run drawn; it shows " + browser.text("#error-banner"));
      assertThat(browser.count("#gantt-svg")).isZero();
      assertThat(browser.count("#dag-svg circle.dag-node")).isEqualTo(2_500);
      assertThat(browser.count("#error-banner")).isZero();
      browser.screenshot(Path.of("target", "large-run-canvas.png"));
      // A click on the canvas opens the task under it.
      browser.clickCanvasAtFirstBar();
      browser.await(() -> browser.text("#task-title") != null, () -> "a task opened from the canvas");
    }
  }

  @Test
  void tensOfThousandsAreAggregatedAndTheDagCollapsedByApp() throws Exception {
    try (Dashboard dashboard = Dashboard.builder().database(database).build();
        TaskDatabaseReader reader = TaskDatabaseReader.open(database)) {
      ApiClient api = new ApiClient(dashboard.url());
      long began = System.nanoTime();
      JsonNode timeline = api.json("/api/runs/" + tensOfThousands + "/timeline");
      JsonNode dag = api.json("/api/runs/" + tensOfThousands + "/dag");
      assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(20));
      assertThat(timeline.get("bars").size()).isZero();
      assertThat(timeline.get("aggregate").get("cells").size()).isPositive();
      assertThat(dag.get("collapsed").asBoolean()).isTrue();
      assertThat(dag.get("nodes").size()).isEqualTo(2);

      browser.open(dashboard.url() + "#/runs/" + tensOfThousands);
      browser.await(() -> "ended".equals(browser.text("#run-status")) && browser.count("#gantt-canvas") == 1
          && browser.count("#dag-svg .app-node") == 2, () -> "the run drawn; it shows " + browser.text("#error-banner"));
      assertThat(browser.count("#error-banner")).isZero();
      long failed = reader.stateCounts(tensOfThousands).get(TaskState.FAILED);
      assertThat(failed).isEqualTo(120);
      assertThat(browser.text("[data-state-count=failed]")).isEqualTo(String.valueOf(failed));
      browser.screenshot(Path.of("target", "large-run-aggregated.png"));

      Path report = dir.resolve("large.html");
      Report.write(reader, tensOfThousands, report);
      browser.open(report.toUri().toString());
      browser.await(() -> "ended".equals(browser.text("#run-status")) && browser.count("#gantt-canvas") == 1
          && browser.count("#dag-svg .app-node") == 2, () -> "the report drawn");
      assertThat(browser.count("#failures-table tbody tr")).isEqualTo(failed);
      assertThat(browser.count("#failures-panel b")).isZero();
    }
  }
}
