package dev.shoal.azure.functions;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.resources.fluentcore.utils.HttpPipelineProvider;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoal.spi.BurstSwitch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The burst of a pool whose serverless workers are one function of an Azure Function app (a
 * Service Bus trigger on the task queue): turned off and on the standard way, with the app setting
 * {@code AzureWebJobs.<function>.Disabled} ({@code true}: the host does not listen to the trigger).
 * The state is {@link State#ON} when that setting is absent or {@code false}, {@link State#OFF}
 * when it is {@code true}; ARM has no in-between to report, so never {@link State#TURNING}.
 *
 * <p><b>Through Resource Manager</b>, on the same plumbing as the scale-set provider (the SDK's ARM
 * pipeline: bearer token of the credential, default {@code DefaultAzureCredential}, which in a
 * Function app is its managed identity; the SDK's retries): {@code POST
 * <app>/config/appsettings/list} reads every setting, {@code PUT <app>/config/appsettings} writes
 * the whole set back. That is a read-modify-write: every other setting is written back as it was
 * read, and ARM has no ETag on settings, so a change someone makes to another setting between the
 * two calls is lost. The identity needs {@code Microsoft.Web/sites/config/list/action} and {@code
 * Microsoft.Web/sites/config/write} on the app (infra/azure/main.bicep's burst switch role).
 *
 * <p><b>Every write restarts the app</b> (Azure restarts a function app whenever its settings
 * change), which ends the batches it is running: their messages come back and run again, and the
 * clients drop the duplicate results. So a turn to the state the app is already in writes nothing,
 * and the worker function belongs in an app of its own, never in the dispatcher's.
 *
 * <p><b>A remembered state.</b> The dispatcher reads the state at every evaluation, and nudges can
 * make that once a second, against ARM's read limits per subscription; so a state read or written
 * is remembered for {@linkplain Builder#stateCachedFor a while} (default 15 s), which is right as
 * long as this switch is the only writer of the setting. A turn always reads afresh, since it
 * writes back everything it read.
 */
public final class FunctionBurstSwitch implements BurstSwitch {
  private static final Logger log = LoggerFactory.getLogger(FunctionBurstSwitch.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The App Service (Microsoft.Web) API version of both calls. */
  public static final String API_VERSION = "2024-04-01";

  private static final Pattern SITE = Pattern.compile(
      "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Web/sites/([^/]+)", Pattern.CASE_INSENSITIVE);
  /** What the Functions host takes as a function name (and so what may stand in the setting's name). */
  private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,127}");

  private final String appId;
  private final String appName;
  private final String function;
  private final String setting;
  private final String baseUrl;
  private final HttpPipeline pipeline;
  private final Duration timeout;
  private final Duration cachedFor;
  private final Clock clock;
  // The last state read or written, and when: guarded by this.
  private State known;
  private Instant knownAt;

  private FunctionBurstSwitch(Builder builder) {
    Matcher site = SITE.matcher(Objects.requireNonNull(builder.functionAppId, "a burst switch needs the function app's id"));
    if (!site.matches()) {
      throw new IllegalArgumentException("not a function app's resource id (/subscriptions/<id>/resourceGroups/<group>"
          + "/providers/Microsoft.Web/sites/<name>): " + builder.functionAppId);
    }
    String name = Objects.requireNonNull(builder.functionName, "a burst switch needs the worker function's name");
    if (!FUNCTION_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a function name: " + name);
    }
    this.appId = builder.functionAppId;
    this.appName = site.group(3);
    this.function = name;
    this.setting = disabledSetting(name);
    this.timeout = builder.timeout;
    this.cachedFor = builder.cachedFor;
    this.clock = builder.clock;
    AzureEnvironment environment = builder.environment;
    String endpoint = environment.getResourceManagerEndpoint();
    this.baseUrl = (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint) + appId;
    HttpPipeline given = builder.pipeline;
    if (given == null) {
      TokenCredential credential = builder.credential != null ? builder.credential
          : new DefaultAzureCredentialBuilder().build();
      // The pipeline ComputeManager.authenticate builds for the scale-set provider: same token scope, policies, retries.
      given = HttpPipelineProvider.buildHttpPipeline(credential, new AzureProfile(null, site.group(1), environment));
    }
    this.pipeline = given;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The setting that disables a function: {@code AzureWebJobs.<function>.Disabled}. */
  public static String disabledSetting(String function) {
    return "AzureWebJobs." + function + ".Disabled";
  }

  /** The function app's resource id. */
  public String functionAppId() {
    return appId;
  }

  /** The worker function's name. */
  public String functionName() {
    return function;
  }

  /**
   * @throws AppSettingsException when ARM refuses or fails the read
   * @throws IllegalStateException when the setting holds neither {@code true} nor {@code false}
   */
  @Override
  public synchronized State state() {
    if (known != null && clock.instant().isBefore(knownAt.plus(cachedFor))) {
      return known;
    }
    return remember(stateOf(read()));
  }

  private State remember(State state) {
    known = state;
    knownAt = clock.instant();
    return state;
  }

  /**
   * Writes the setting, unless it already says what is asked (a write restarts the app).
   *
   * @throws AppSettingsException when ARM refuses or fails the read or the write
   */
  @Override
  public synchronized void turn(boolean on) {
    known = null;
    Map<String, String> settings = read();
    State now;
    try {
      now = stateOf(settings);
    } catch (IllegalStateException unreadable) {
      now = null; // overwritten with a value the host and this switch both read
    }
    if (now == (on ? State.ON : State.OFF)) {
      log.debug("burst {}: already {}", this, now);
      remember(now);
      return;
    }
    settings.put(setting, on ? "false" : "true");
    ObjectNode body = JSON.createObjectNode();
    ObjectNode properties = body.putObject("properties");
    settings.forEach(properties::put);
    send(HttpMethod.PUT, "/config/appsettings", body, "turning the burst " + (on ? "on" : "off") + " (" + setting
        + "=" + !on + ")");
    remember(on ? State.ON : State.OFF);
    log.info("burst {}: turned {} ({}={}); the app restarts", this, on ? "on" : "off", setting, !on);
  }

  private State stateOf(Map<String, String> settings) {
    String value = settings.get(setting);
    if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("false")) {
      return State.ON;
    }
    if (value.trim().equalsIgnoreCase("true")) {
      return State.OFF;
    }
    throw new IllegalStateException("the setting " + setting + " of function app " + appName + " is '" + value
        + "', neither true nor false");
  }

  /** Every app setting, in ARM's order. */
  private Map<String, String> read() {
    JsonNode answer = send(HttpMethod.POST, "/config/appsettings/list", null, "reading the app settings");
    JsonNode properties = answer.path("properties");
    if (!properties.isObject()) {
      throw new AppSettingsException("reading the app settings of function app " + appName
          + " failed: ARM's answer has no properties object", 200, null, null);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    properties.fields().forEachRemaining(field -> settings.put(field.getKey(),
        field.getValue().isNull() ? null : field.getValue().asText()));
    return settings;
  }

  private JsonNode send(HttpMethod method, String path, JsonNode body, String doing) {
    HttpRequest request = new HttpRequest(method, baseUrl + path + "?api-version=" + API_VERSION);
    String text = body == null ? "" : write(body);
    request.setHeader(HttpHeaderName.CONTENT_TYPE, "application/json");
    request.setBody(text);
    Answer answer;
    try {
      answer = pipeline.send(request, Context.NONE)
          .flatMap(response -> response.getBodyAsString().defaultIfEmpty("")
              .map(content -> new Answer(response.getStatusCode(), content))
              .doFinally(ignored -> response.close()))
          .block(timeout);
    } catch (RuntimeException e) {
      throw new AppSettingsException(doing + " of function app " + appName + " failed: no answer from ARM: " + e, 0,
          null, e);
    }
    if (answer == null) {
      throw new AppSettingsException(doing + " of function app " + appName + " failed: ARM gave no answer", 0, null,
          null);
    }
    if (answer.status / 100 != 2) {
      throw failure(doing, answer);
    }
    try {
      return answer.body.isBlank() ? JSON.createObjectNode() : JSON.readTree(answer.body);
    } catch (JsonProcessingException e) {
      throw new AppSettingsException(doing + " of function app " + appName + " failed: ARM's answer is not JSON", answer
          .status, null, e);
    }
  }

  private AppSettingsException failure(String doing, Answer answer) {
    String code = null;
    String message = answer.body;
    try {
      JsonNode error = JSON.readTree(answer.body).path("error");
      if (error.isObject()) {
        code = error.path("code").asText(null);
        message = error.path("message").asText(message);
      }
    } catch (JsonProcessingException e) {
      // Not JSON: the body is all there is.
    }
    StringBuilder text = new StringBuilder(doing).append(" of function app ").append(appName)
        .append(" failed: ARM answered ").append(answer.status);
    if (code != null) {
      text.append(' ').append(code);
    }
    text.append(": ").append(message);
    if (answer.status == 403) {
      text.append(" (the dispatcher's identity needs Microsoft.Web/sites/config/list/action and"
          + " Microsoft.Web/sites/config/write on ").append(appId).append(')');
    } else if (answer.status == 409) {
      text.append(" (another change to the app is under way; the next evaluation tries again)");
    }
    return new AppSettingsException(text.toString(), answer.status, code, null);
  }

  private static String write(JsonNode json) {
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "function " + function + " of app " + appName;
  }

  private record Answer(int status, String body) {}

  /** Builds a switch; a builder is never changed by {@link #build()}. */
  public static final class Builder {
    private String functionAppId;
    private String functionName;
    private TokenCredential credential;
    private AzureEnvironment environment = AzureEnvironment.AZURE;
    private HttpPipeline pipeline;
    private Duration timeout = Duration.ofSeconds(30);
    private Duration cachedFor = Duration.ofSeconds(15);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** How long a state read or written is taken as the state without asking ARM again (default 15 s; zero: never). */
    public Builder stateCachedFor(Duration duration) {
      if (duration.isNegative()) {
        throw new IllegalArgumentException("the cache time may not be negative: " + duration);
      }
      this.cachedFor = duration;
      return this;
    }

    /** The clock the cache runs on (tests move one by hand). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The app's resource id: {@code /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Web/sites/<name>}. */
    public Builder functionAppId(String resourceId) {
      this.functionAppId = resourceId;
      return this;
    }

    /** The worker function's name, as its {@code @FunctionName} says. */
    public Builder functionName(String name) {
      this.functionName = name;
      return this;
    }

    /** Who the switch is to ARM. Default: a {@code DefaultAzureCredential} (in a Function app: its managed identity). */
    public Builder credential(TokenCredential credential) {
      this.credential = Objects.requireNonNull(credential, "credential");
      return this;
    }

    /** The Azure cloud (default: the public cloud): its resource manager endpoint. */
    public Builder environment(AzureEnvironment environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /** The HTTP pipeline to ARM, in place of the SDK's authenticated one (tests give one to a fake). */
    public Builder pipeline(HttpPipeline pipeline) {
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      return this;
    }

    /** How long one call to ARM may take, retries included (default 30 s). */
    public Builder timeout(Duration timeout) {
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("the timeout must be positive: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    public FunctionBurstSwitch build() {
      return new FunctionBurstSwitch(this);
    }
  }
}
