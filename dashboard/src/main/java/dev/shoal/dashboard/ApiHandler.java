package dev.shoal.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.shoal.taskdb.TaskDatabaseException;
import dev.shoal.taskdb.TaskDatabaseReader;
import dev.shoal.taskdb.TaskQuery;
import dev.shoal.taskdb.TaskState;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API under {@code /api/}: read-only, one reader per request (a reader serves one thread
 * at a time, and a fresh one sees what the run wrote since). Unknown runs, tasks and paths are 404,
 * malformed parameters 400, each with a JSON body saying why.
 */
final class ApiHandler implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
  static final int DEFAULT_PAGE = 50;

  private final Path database;
  private final JsonMapping json;
  private final Clock clock;

  ApiHandler(Path database, JsonMapping json, Clock clock) {
    this.database = database;
    this.json = json;
    this.clock = clock;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      String method = exchange.getRequestMethod();
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        throw ApiException.methodNotAllowed("the API is read-only: " + method + " is not served");
      }
      Object answer = answer(RequestTarget.of(exchange.getRequestURI()));
      HttpResponses.json(exchange, json, 200, answer);
    } catch (ApiException e) {
      HttpResponses.error(exchange, json, e.status(), e.getMessage());
    } catch (TaskDatabaseException e) {
      log.warn("dashboard: {} failed: {}", exchange.getRequestURI(), e.getMessage());
      HttpResponses.error(exchange, json, 500, e.getMessage());
    } catch (RuntimeException e) {
      log.warn("dashboard: {} failed", exchange.getRequestURI(), e);
      HttpResponses.error(exchange, json, 500, "internal error: " + e);
    }
  }

  private Object answer(RequestTarget target) {
    List<String> path = target.segments();
    if (path.size() < 2 || !path.get(0).equals("api") || !path.get(1).equals("runs")) {
      throw ApiException.notFound("no such API path: /" + String.join("/", path));
    }
    if (!Files.isRegularFile(database)) {
      // A dashboard may be opened before the run that creates its database.
      if (path.size() == 2) {
        return List.of();
      }
      throw ApiException.notFound("no run '" + path.get(2) + "': there is no task database at " + database + " yet");
    }
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(database)) {
      RunViews views = new RunViews(reader, clock);
      if (path.size() == 2) {
        return views.runs();
      }
      String runId = path.get(2);
      if (path.size() == 3) {
        return views.summary(runId);
      }
      String view = path.get(3);
      if (path.size() == 5 && view.equals("tasks")) {
        return views.task(runId, taskId(runId, path.get(4)));
      }
      if (path.size() > 4) {
        throw ApiException.notFound("no such API path: /" + String.join("/", path));
      }
      return switch (view) {
        case "tasks" -> views.tasks(runId, query(target));
        case "workers" -> views.workers(runId);
        case "scaling" -> views.scaling(runId);
        case "apps" -> views.apps(runId);
        case "throughput" -> views.activity(runId, target.parameter("bucket").map(ApiHandler::duration));
        case "dag" -> views.dag(runId);
        case "timeline" -> views.timeline(runId);
        case "failures" -> views.failures(runId, target.intParameter("limit", RunViews.MAX_PAGE, 1, RunViews.MAX_PAGE));
        default -> throw ApiException.notFound("no such API path: /" + String.join("/", path));
      };
    }
  }

  private static long taskId(String runId, String raw) {
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw ApiException.notFound("no task '" + raw + "' in run '" + runId + "': task ids are whole numbers");
    }
  }

  private static TaskQuery query(RequestTarget target) {
    int offset = target.intParameter("offset", 0, 0, Integer.MAX_VALUE);
    int limit = target.intParameter("limit", DEFAULT_PAGE, 1, RunViews.MAX_PAGE);
    TaskQuery query = TaskQuery.first(limit).from(offset);
    Optional<String> state = target.parameter("state");
    if (state.isPresent()) {
      query = query.inState(state(state.get()));
    }
    Optional<String> app = target.parameter("app");
    if (app.isPresent()) {
      query = query.ofApp(app.get());
    }
    Optional<String> text = target.parameter("q");
    if (text.isPresent()) {
      query = query.containing(text.get());
    }
    return query;
  }

  private static TaskState state(String raw) {
    try {
      return TaskState.ofColumn(raw.trim());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("unknown state '" + raw + "'; one of "
          + Arrays.stream(TaskState.values()).map(TaskState::column).collect(Collectors.joining(", ")));
    }
  }

  /** {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}, a number of milliseconds, or ISO-8601 ({@code PT0.5S}). */
  static Duration duration(String raw) {
    String text = raw.trim();
    try {
      if (text.toUpperCase(Locale.ROOT).startsWith("PT")) {
        Duration parsed = Duration.parse(text);
        if (parsed.isNegative() || parsed.isZero()) {
          throw ApiException.badRequest("bucket must be positive: '" + raw + "'");
        }
        return parsed;
      }
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest("bucket is not a duration: '" + raw + "'");
    }
    Matcher matcher = DURATION.matcher(text);
    if (!matcher.matches()) {
      throw ApiException.badRequest("bucket is not a duration (like 500ms, 2s, 1m): '" + raw + "'");
    }
    BigDecimal amount = new BigDecimal(matcher.group(1));
    String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
    BigDecimal nanosPerUnit = BigDecimal.valueOf(switch (unit) {
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    });
    BigDecimal nanos = amount.multiply(nanosPerUnit);
    if (nanos.signum() <= 0 || nanos.compareTo(BigDecimal.valueOf(Duration.ofDays(365).toNanos())) > 0) {
      throw ApiException.badRequest("bucket must be positive and at most a year: '" + raw + "'");
    }
    return Duration.ofNanos(nanos.longValue());
  }
}
