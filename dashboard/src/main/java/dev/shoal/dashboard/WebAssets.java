package dev.shoal.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The page's files, from this jar's resources: the only files the server serves (a fixed list, so
 * no path ever reaches the file system) and what the report inlines.
 */
final class WebAssets {
  static final String INDEX = "index.html";
  static final String STYLE = "shoal.css";
  /** The drawing and rendering code the dashboard and the report share. */
  static final String COMMON_SCRIPT = "shoal-common.js";
  static final String DASHBOARD_SCRIPT = "dashboard.js";
  static final String REPORT_SCRIPT = "report.js";

  private static final Map<String, String> TYPES = Map.of(
      INDEX, "text/html; charset=utf-8",
      STYLE, "text/css; charset=utf-8",
      COMMON_SCRIPT, "text/javascript; charset=utf-8",
      DASHBOARD_SCRIPT, "text/javascript; charset=utf-8");

  private WebAssets() {}

  /** The content type of a file the server serves, if it is one. */
  static Optional<String> servedType(String name) {
    return Optional.ofNullable(TYPES.get(name));
  }

  static byte[] bytes(String name) {
    try (InputStream in = WebAssets.class.getResourceAsStream("web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's resource web/" + name + " is missing from its jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dashboard's resource web/" + name, e);
    }
  }

  static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }
}
