package dev.shoal.dashboard;

import dev.shoal.taskdb.TaskDatabaseReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

/**
 * One run as one HTML file that opens from disk, with no server and nothing fetched: its summary,
 * timeline per worker, throughput, DAG, statistics per app, failures with their errors, workers
 * and scaling decisions. The data is embedded as JSON and drawn by the dashboard's own script,
 * inlined, like Nextflow's {@code -with-report}.
 *
 * <p>The page allows only its own inline script and style, by hash, and nothing from elsewhere
 * (a {@code Content-Security-Policy} in the page): a task error that slipped into it as markup
 * still could not run or load anything.
 */
public final class Report {
  /** Failed tasks listed with their errors; the count says how many more there are. */
  public static final int MAX_FAILURES = 1_000;
  static final String DATA_ELEMENT_ID = "shoal-report-data";

  private Report() {}

  /**
   * Writes the report of a run to {@code out} (replacing it whole, so that a reader never sees a
   * part). A running run is reported as it stands now.
   *
   * @return {@code out}
   * @throws IllegalArgumentException if the database has no such run
   */
  public static Path write(TaskDatabaseReader reader, String runId, Path out) {
    String html = render(reader, runId, Clock.systemUTC());
    try {
      Path parent = out.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path partial = Files.createTempFile(parent, ".report-", ".html.part");
      try {
        Files.writeString(partial, html, StandardCharsets.UTF_8);
        Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(partial);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + out + ": " + e.getMessage(), e);
    }
    return out;
  }

  static String render(TaskDatabaseReader reader, String runId, Clock clock) {
    if (reader.run(runId).isEmpty()) {
      throw new IllegalArgumentException("no run '" + runId + "' in the task database " + reader.file());
    }
    RunViews views = new RunViews(reader, clock);
    ReportData data = new ReportData(ReportData.FORMAT, clock.instant(), views.summary(runId), views.apps(runId),
        views.failures(runId, MAX_FAILURES), views.workers(runId), views.scaling(runId), views.timeline(runId),
        views.activity(runId, Optional.empty()), views.dag(runId));
    return page(runId, new JsonMapping().forScriptElement(data));
  }

  private static String page(String runId, String json) {
    String style = WebAssets.text(WebAssets.STYLE);
    String common = inlineScript(WebAssets.COMMON_SCRIPT);
    String report = inlineScript(WebAssets.REPORT_SCRIPT);
    String policy = "default-src 'none'; script-src " + hash(common) + " " + hash(report) + "; style-src "
        + hash(style) + "; img-src data:; base-uri 'none'; form-action 'none'";
    return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta http-equiv=\"Content-Security-Policy\" content=\"" + policy + "\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>Shoal report: " + Html.escape(runId) + "</title>\n"
        + "<style>" + style + "</style>\n</head>\n"
        + "<body class=\"report\">\n"
        + "<header class=\"top\"><span class=\"brand\">Shoal</span><span class=\"subtitle\">run report</span></header>\n"
        + "<main id=\"app\"><noscript>This report draws itself with JavaScript; its data is in the element "
        + DATA_ELEMENT_ID + ".</noscript></main>\n"
        + "<script type=\"application/json\" id=\"" + DATA_ELEMENT_ID + "\">" + json + "</script>\n"
        + "<script>" + common + "</script>\n"
        + "<script>" + report + "</script>\n"
        + "</body>\n</html>\n";
  }

  private static String inlineScript(String name) {
    String script = WebAssets.text(name);
    // An inline script ends at the first "</script" and "<!--" changes how it parses: neither may occur.
    if (script.toLowerCase(java.util.Locale.ROOT).contains("</script") || script.contains("<!--")) {
      throw new IllegalStateException(name + " cannot be inlined: it contains </script or <!--");
    }
    return script;
  }

  private static String hash(String inline) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(inline.getBytes(StandardCharsets.UTF_8));
      return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
