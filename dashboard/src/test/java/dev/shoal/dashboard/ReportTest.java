package dev.shoal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.taskdb.TaskDatabaseReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a real run, read back as a file: its data, its scripts, and nothing from elsewhere. */
class ReportTest {
  private static final Pattern SCRIPT = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL);
  private static final String DATA_OPEN = "<script type=\"application/json\" id=\"" + Report.DATA_ELEMENT_ID + "\">";

  @TempDir Path dir;

  @Test
  void theReportEmbedsTheRunsDataAndReferencesNothingOutsideItself() throws Exception {
    // A run id that is markup, to see the title escaped.
    RecordedRun run = RecordedRun.onThreads(dir, "run-<i>&'\"");
    Path out = dir.resolve("reports/run.html");
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(run.database())) {
      assertThat(Report.write(reader, run.runId(), out)).isEqualTo(out);
      String html = Files.readString(out, StandardCharsets.UTF_8);
      assertThat(html).startsWith("<!doctype html>");
      assertThat(html).contains("<title>Shoal report: run-&lt;i&gt;&amp;&#39;&quot;</title>");

      // Three script elements: the data, then the two scripts; the hostile error closes none of them.
      List<String[]> scripts = new ArrayList<>();
      Matcher matcher = SCRIPT.matcher(html);
      while (matcher.find()) {
        scripts.add(new String[] {matcher.group(1), matcher.group(2)});
      }
      assertThat(scripts).hasSize(3);
      assertThat(html.split("</script>", -1)).hasSize(4);
      assertThat(html).doesNotContain(DashboardTestApps.HOSTILE).doesNotContain("<!-- ");
      assertThat(scripts.get(0)[0]).isEqualTo(" type=\"application/json\" id=\"" + Report.DATA_ELEMENT_ID + "\"");
      assertThat(scripts.get(1)[0]).isEmpty();
      assertThat(scripts.get(1)[1]).isEqualTo(WebAssets.text(WebAssets.COMMON_SCRIPT));
      assertThat(scripts.get(2)[1]).isEqualTo(WebAssets.text(WebAssets.REPORT_SCRIPT));
      assertThat(html).contains("<style>" + WebAssets.text(WebAssets.STYLE) + "</style>");

      // The policy allows those inline scripts and style by hash, and nothing else at all.
      Matcher policy = Pattern.compile("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">").matcher(html);
      assertThat(policy.find()).isTrue();
      assertThat(policy.group(1)).startsWith("default-src 'none'; ")
          .contains("script-src " + hash(scripts.get(1)[1]) + " " + hash(scripts.get(2)[1]) + ";")
          .contains("style-src " + hash(WebAssets.text(WebAssets.STYLE)) + ";")
          .doesNotContain("unsafe", "http");

      // No reference out: no src or href to anywhere, no stylesheet link, no import, no url().
      String outsideData = html.replace(scripts.get(0)[1], "");
      assertThat(outsideData).doesNotContainPattern("(?i)\\b(src|href)\\s*=")
          .doesNotContainPattern("(?i)<link\\b").doesNotContainPattern("(?i)@import").doesNotContainPattern("(?i)url\\(");
      // The one address in the page is the SVG namespace's name, which is never fetched.
      assertThat(outsideData.replace("'http://www.w3.org/2000/svg'", "")).doesNotContain("http://", "https://");

      JsonNode data = new ObjectMapper().readTree(scripts.get(0)[1]);
      assertThat(data.get("format").asText()).isEqualTo(ReportData.FORMAT);
      assertThat(data.get("summary").get("run").get("runId").asText()).isEqualTo(run.runId());
      assertThat(data.get("summary").get("running").asBoolean()).isFalse();
      Map<String, Long> states = new HashMap<>();
      data.get("summary").get("states").properties().forEach(e -> states.put(e.getKey(), e.getValue().asLong()));
      Map<String, Long> expected = new HashMap<>();
      reader.stateCounts(run.runId()).forEach((state, count) -> expected.put(state.column(), count));
      assertThat(states).isEqualTo(expected);
      JsonNode failures = data.get("failures");
      assertThat(failures.get("total").asLong()).isEqualTo(1);
      assertThat(failures.get("tasks").get(0).get("taskId").asLong()).isEqualTo(run.failedTask());
      assertThat(failures.get("tasks").get(0).get("error").asText())
          .isEqualTo(reader.task(run.runId(), run.failedTask()).orElseThrow().error())
          .contains(DashboardTestApps.HOSTILE);
      assertThat(data.get("apps").size()).isEqualTo(reader.appStatistics(run.runId()).size());
      assertThat(data.get("workers").size()).isEqualTo(reader.workers(run.runId()).size());
      assertThat(data.get("scaling").size()).isZero();
      assertThat(data.get("timeline").get("bars").size()).isEqualTo(6);
      assertThat(data.get("dag").get("nodes").size()).isEqualTo(7);
      assertThat(data.get("activity").get("points").size()).isPositive();
    }
  }

  @Test
  void aReportReplacesTheFileWholeAndAnUnknownRunIsAnError() throws Exception {
    RecordedRun run = RecordedRun.onThreads(dir);
    Path out = dir.resolve("report.html");
    Files.writeString(out, "an older report, much longer than nothing ".repeat(10_000));
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(run.database())) {
      Report.write(reader, run.runId(), out);
      assertThat(Files.readString(out)).startsWith("<!doctype html>").doesNotContain("an older report").endsWith("</html>\n");
      assertThat(Files.list(dir).map(path -> path.getFileName().toString())).noneMatch(name -> name.endsWith(".part"));
      assertThatThrownBy(() -> Report.write(reader, "no-such-run", dir.resolve("other.html")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no run 'no-such-run'");
      assertThat(dir.resolve("other.html")).doesNotExist();
    }
  }

  private static String hash(String text) throws Exception {
    return "'sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
        .digest(text.getBytes(StandardCharsets.UTF_8))) + "'";
  }
}
