package dev.shoal.azure.fake;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.FixedDelay;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.compute.ComputeManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake of Azure Resource Manager's compute API at the HTTP boundary, for the real Azure SDK to
 * talk to (a JDK {@link HttpServer} on a free loopback port): the calls a scale-set provider makes,
 * with JSON shaped like the examples of Azure/azure-rest-api-specs (compute, api-version
 * 2025-04-01). There is no ARM emulator; this is not one either: it serves only the calls listed
 * here and answers anything else with a 400 that names the call, so a new call shows up at once.
 *
 * <p>Served:
 * <ul>
 *   <li>{@code GET|PUT|PATCH .../virtualMachineScaleSets/{name}}: a scale set with its {@code sku},
 *       {@code tags}, {@code etag} (a PATCH with a stale {@code If-Match} gets 412), orchestration
 *       mode and upgrade policy. A PUT creates one (201), a PATCH changes capacity, tags and the
 *       model's custom data (200); both answer with {@code Azure-AsyncOperation}. Growing the
 *       capacity creates VMs named {@code <scale set>_<8 hex>}; shrinking it deletes the newest,
 *       which is Azure's own scale-in, counted in {@link #scaleInDeletions()}.
 *   <li>{@code POST .../virtualMachineScaleSets/{name}/delete} with {@code {"instanceIds":[vm names]}}:
 *       202 with {@code Azure-AsyncOperation} and {@code Location}; the VMs are {@code Deleting} at
 *       once and gone, with the capacity down by as many, when the operation succeeds. A name that
 *       is not a VM of that scale set fails the whole request (400), as ARM does.
 *   <li>{@code GET .../virtualMachines?$filter='virtualMachineScaleSet/id' eq '<id>'&$expand=instanceView}
 *       (the listing of a Flexible scale set's VMs; {@code $expand} without a filter is refused, as
 *       ARM does), paged by {@code nextLink} ({@link #pageSize(int)}); {@code GET|DELETE
 *       .../virtualMachines/{name}} and {@code GET .../virtualMachines/{name}/instanceView}.
 *   <li>{@code GET .../providers/Microsoft.Compute/locations/{location}/operations/{id}}: an
 *       operation's status, {@code InProgress} for {@link #operationPolls(int)} polls (default 1),
 *       then {@code Succeeded} (or {@code Failed} with an error, see {@link #failNextOperation}),
 *       which is when its effect lands; with {@code monitor=true} (the {@code Location} URL), 202
 *       until then and 200 after.
 *   <li>App Service, for the burst switch: {@code POST .../Microsoft.Web/sites/{name}/config/appsettings/list}
 *       and {@code PUT .../config/appsettings} (the whole set), on apps made by
 *       {@link #createFunctionApp}; no restart is modelled, only counted ({@link #appSettingsWrites}).
 * </ul>
 *
 * <p><b>A VM's life</b> is driven by the operations and by the test, never by the clock: created
 * {@code ProvisioningState/creating} with no power state; {@code ProvisioningState/succeeded} and
 * {@code PowerState/starting} once the operation that made it succeeds; {@code PowerState/running}
 * after {@link #boot(String)}; {@code PowerState/stopped} after {@link #powerOff(String)} (the
 * worker exited and its script shut the machine down).
 *
 * <p><b>Faults</b>: {@link #fail} answers matching requests with an ARM error (a status, an error
 * code, a message, headers such as {@code Retry-After}), a given number of times.
 *
 * <p><b>Not modelled</b>: authentication (no token is checked: {@link #computeManager()} has no
 * credential, and the SDK's bearer policy would refuse plain http anyway), RBAC, quotas, real
 * timing (an operation ends after polls, not minutes; the operation of a scale-out here ends before
 * its VMs run, where Azure's waits for them to be provisioned), zones, fault domains, networking,
 * extensions, Uniform scale sets and their {@code virtualMachineScaleSetVMs} API, and every field
 * of the JSON that the provider does not read beyond what the examples show.
 */
public final class FakeArm implements AutoCloseable {
  /** The compute API version the SDK (azure-resourcemanager-compute 2.55) speaks. */
  public static final String API_VERSION = "2025-04-01";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RG = "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute";
  private static final Pattern SCALE_SET = Pattern.compile(RG + "/virtualMachineScaleSets/([^/]+)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern SCALE_SET_DELETE = Pattern.compile(RG + "/virtualMachineScaleSets/([^/]+)/delete",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern MACHINES = Pattern.compile(RG + "/virtualMachines", Pattern.CASE_INSENSITIVE);
  private static final Pattern MACHINE = Pattern.compile(RG + "/virtualMachines/([^/]+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern INSTANCE_VIEW = Pattern.compile(RG + "/virtualMachines/([^/]+)/instanceView",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern OPERATION = Pattern.compile(
      "/subscriptions/([^/]+)/providers/Microsoft\\.Compute/locations/([^/]+)/operations/([^/]+)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern APP_SETTINGS = Pattern.compile(
      "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Web/sites/([^/]+)/config/appsettings(/list)?",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern SCALE_SET_FILTER = Pattern.compile("'virtualMachineScaleSet/id'\\s+eq\\s+'([^']+)'",
      Pattern.CASE_INSENSITIVE);

  private final HttpServer server;
  private final ExecutorService executor;
  private final String endpoint;
  private final String subscriptionId = UUID.randomUUID().toString();
  private final String tenantId = UUID.randomUUID().toString();

  // Guarded by this.
  private final Map<String, ScaleSet> scaleSets = new LinkedHashMap<>();
  private final Map<String, Vm> machines = new LinkedHashMap<>();
  private final Map<String, Operation> operations = new HashMap<>();
  private final Map<String, FunctionApp> functionApps = new LinkedHashMap<>();
  private final List<Fault> faults = new ArrayList<>();
  private final List<Request> requests = new ArrayList<>();
  private String nextOperationError;
  private String nextOperationMessage;
  private int operationPolls = 1;
  private int pageSize = 100;
  private int scaleInDeletions;

  private FakeArm() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor = Executors.newFixedThreadPool(4, runnable -> {
      Thread thread = new Thread(runnable, "fake-arm");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** Starts a fake on a free loopback port. */
  public static FakeArm start() {
    try {
      return new FakeArm();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Its base URL, ARM's {@code resourceManagerEndpointUrl}: {@code http://127.0.0.1:<port>/}. */
  public String endpoint() {
    return endpoint;
  }

  /** The one subscription it serves (random per fake). */
  public String subscriptionId() {
    return subscriptionId;
  }

  /** A profile whose resource manager endpoint is this fake. */
  public AzureProfile profile() {
    Map<String, String> environment = new HashMap<>();
    environment.put("resourceManagerEndpointUrl", endpoint);
    environment.put("microsoftGraphResourceId", endpoint);
    environment.put("activeDirectoryEndpointUrl", endpoint);
    return new AzureProfile(tenantId, subscriptionId, new AzureEnvironment(environment));
  }

  /**
   * The SDK's compute client on a pipeline pointed at this fake, without credentials. Its retry
   * policy is the SDK's, except that it reads {@code Retry-After} in milliseconds where ARM means
   * seconds, so that a test keeps ARM's numbers without waiting them out; it retries twice.
   */
  public ComputeManager computeManager() {
    return ComputeManager.authenticate(pipeline(), profile());
  }

  /** The pipeline {@link #computeManager()} runs on: to this fake, no credential, quick retries (twice). */
  public HttpPipeline pipeline() {
    return new HttpPipelineBuilder()
        .httpClient(HttpClient.createDefault())
        .policies(new RetryPolicy(new FixedDelay(2, Duration.ofMillis(10)), "Retry-After", ChronoUnit.MILLIS))
        .build();
  }

  // ---- The world, as a test sets it up and reads it. ----

  /**
   * Creates a scale set (as its owner would, with Bicep) in this subscription, with no VMs.
   *
   * @param orchestrationMode "Flexible" or "Uniform"
   * @param upgradeMode "Manual", "Automatic", "Rolling", or null for none in the JSON
   * @return its resource id
   */
  public synchronized String createScaleSet(String resourceGroup, String name, String orchestrationMode,
      String upgradeMode, Map<String, String> tags) {
    ScaleSet set = new ScaleSet(resourceGroup, name, orchestrationMode, upgradeMode, new LinkedHashMap<>(tags));
    scaleSets.put(key(set.id()), set);
    return set.id();
  }

  /** A Flexible scale set with a manual upgrade policy, tagged as the Shoal pool {@code pool}. */
  public String createPool(String resourceGroup, String name, String pool) {
    return createScaleSet(resourceGroup, name, "Flexible", "Manual", Map.of("shoal-pool", pool));
  }

  /**
   * Adds a VM that is running already: in the given scale set (by id), or in none (null), as
   * someone else's machine would be. Its capacity counts it.
   *
   * @return its name
   */
  public synchronized String addRunningVm(String resourceGroup, String name, String scaleSetId) {
    ScaleSet set = scaleSetId == null ? null : scaleSets.get(key(scaleSetId));
    if (scaleSetId != null && set == null) {
      throw new IllegalArgumentException("no scale set " + scaleSetId);
    }
    Vm vm = new Vm(resourceGroup, name, set, null);
    vm.provisioning = "Succeeded";
    vm.power = "running";
    machines.put(key(vm.id()), vm);
    if (set != null) {
      set.capacity++;
    }
    return name;
  }

  /** The names of a scale set's VMs, in order of creation, in any state. */
  public synchronized List<String> vmNames(String scaleSetId) {
    return machines.values().stream().filter(vm -> vm.scaleSet != null && vm.scaleSet.id().equalsIgnoreCase(scaleSetId))
        .map(vm -> vm.name).toList();
  }

  /** A VM's state: its provisioning state ("Creating", "Succeeded", "Deleting"...) and power ("running"...; null for none). */
  public synchronized java.util.Optional<VmState> vm(String resourceGroup, String name) {
    Vm vm = machines.get(key(machineId(resourceGroup, name)));
    return vm == null ? java.util.Optional.empty()
        : java.util.Optional.of(new VmState(vm.name, vm.provisioning, vm.power, vm.scaleSet == null ? null : vm.scaleSet.id(),
            vm.customData == null ? null : new String(Base64.getDecoder().decode(vm.customData), StandardCharsets.UTF_8)));
  }

  /** A scale set's capacity ({@code sku.capacity}). */
  public synchronized long capacity(String scaleSetId) {
    return scaleSet(scaleSetId).capacity;
  }

  /** The custom data in a scale set's model, decoded; null if none was set. */
  public synchronized String customData(String scaleSetId) {
    String encoded = scaleSet(scaleSetId).customData;
    return encoded == null ? null : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  /** Sets a scale set's tags, as someone editing it in the portal would. */
  public synchronized void setTags(String scaleSetId, Map<String, String> tags) {
    ScaleSet set = scaleSet(scaleSetId);
    set.tags = new LinkedHashMap<>(tags);
    set.etag++;
  }

  /** The VM finished booting: {@code PowerState/running}. */
  public synchronized void boot(String name) {
    Vm vm = machineByName(name);
    if (!"Succeeded".equals(vm.provisioning)) {
      throw new IllegalStateException(name + " is " + vm.provisioning + ", not provisioned yet");
    }
    vm.power = "running";
  }

  /** Boots every provisioned VM of the scale set that is starting; returns their names. */
  public synchronized List<String> bootAll(String scaleSetId) {
    List<String> booted = new ArrayList<>();
    for (Vm vm : machines.values()) {
      if (vm.scaleSet != null && vm.scaleSet.id().equalsIgnoreCase(scaleSetId) && "Succeeded".equals(vm.provisioning)
          && "starting".equals(vm.power)) {
        vm.power = "running";
        booted.add(vm.name);
      }
    }
    return booted;
  }

  /** The VM's OS shut down (its worker exited): {@code PowerState/stopped}. */
  public synchronized void powerOff(String name) {
    machineByName(name).power = "stopped";
  }

  /** How many VMs Azure's own scale-in (a capacity lowered by PATCH) deleted. */
  public synchronized int scaleInDeletions() {
    return scaleInDeletions;
  }

  /** How many {@code InProgress} answers an operation gives before its final one (default 1). */
  public synchronized FakeArm operationPolls(int polls) {
    this.operationPolls = polls;
    return this;
  }

  /** At most this many VMs a page of the VM listing (default 100). */
  public synchronized FakeArm pageSize(int size) {
    this.pageSize = size;
    return this;
  }

  /** The next operation started ends {@code Failed} with this error, and its effect does not land. */
  public synchronized void failNextOperation(String code, String message) {
    this.nextOperationError = code;
    this.nextOperationMessage = message;
  }

  /**
   * Answers the next {@code times} requests of this method whose path (from {@code /subscriptions})
   * matches the regex with this ARM error instead of serving them.
   */
  public synchronized void fail(String method, String pathRegex, int status, String code, String message,
      Map<String, String> headers, int times) {
    faults.add(new Fault(method, Pattern.compile(pathRegex, Pattern.CASE_INSENSITIVE), status, code, message,
        Map.copyOf(headers), times));
  }

  /** Every request served so far, in order. */
  public synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /**
   * Creates a function app (a {@code Microsoft.Web/sites} resource, as Bicep would) with these app
   * settings; its id.
   */
  public synchronized String createFunctionApp(String resourceGroup, String name, Map<String, String> settings) {
    FunctionApp app = new FunctionApp(resourceGroup, name, new LinkedHashMap<>(settings));
    functionApps.put(key(app.id()), app);
    return app.id();
  }

  /** The app's settings as they stand. */
  public synchronized Map<String, String> appSettings(String functionAppId) {
    return Map.copyOf(functionApp(functionAppId).settings);
  }

  /** How many times the app's settings were written (each write restarts a real app). */
  public synchronized int appSettingsWrites(String functionAppId) {
    return functionApp(functionAppId).writes;
  }

  // ---- What was asked, and the views a test reads. ----

  /**
   * One request as the fake received it: method, decoded path, decoded query parameters, headers
   * (names in lower case, first value), body.
   */
  public record Request(String method, String path, Map<String, String> query, Map<String, String> headers,
      String body) {
    @Override
    public String toString() {
      return method + " " + path + (query.isEmpty() ? "" : " " + query);
    }
  }

  /** A VM as the fake holds it; {@code customData} is what the scale set's model said when it was created. */
  public record VmState(String name, String provisioningState, String powerState, String scaleSetId,
      String customData) {}

  // ---- Serving. ----

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
      String path = URLDecoder.decode(exchange.getRequestURI().getRawPath().replace("+", "%2B"), StandardCharsets.UTF_8);
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
      Response response;
      synchronized (this) {
        requests.add(new Request(method, path, query, Map.copyOf(headers), body));
        response = serve(method, path, query, body, exchange);
      }
      byte[] bytes = response.body == null ? new byte[0] : response.body.getBytes(StandardCharsets.UTF_8);
      response.headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
      if (response.body != null) {
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
      }
      exchange.getResponseHeaders().add("x-ms-request-id", UUID.randomUUID().toString());
      exchange.sendResponseHeaders(response.status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    } catch (RuntimeException e) {
      // A bug here must not hang the client: answer, and say what broke.
      byte[] bytes = error("FakeArmFailed", String.valueOf(e)).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(500, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  private Response serve(String method, String path, Map<String, String> query, String body, HttpExchange exchange) {
    for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
      Fault fault = it.next();
      if (fault.method.equalsIgnoreCase(method) && fault.path.matcher(path).matches()) {
        if (--fault.times <= 0) {
          it.remove();
        }
        Response response = new Response(fault.status, error(fault.code, fault.message));
        response.headers.putAll(fault.headers);
        return response;
      }
    }
    if (!query.containsKey("api-version")) {
      return new Response(400, error("MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests."));
    }
    Matcher m;
    if ((m = OPERATION.matcher(path)).matches() && method.equals("GET")) {
      return operation(m.group(3), query.containsKey("monitor"));
    }
    if (!path.toLowerCase(Locale.ROOT).startsWith("/subscriptions/" + subscriptionId.toLowerCase(Locale.ROOT) + "/")) {
      return new Response(404, error("SubscriptionNotFound", "The subscription could not be found."));
    }
    if ((m = APP_SETTINGS.matcher(path)).matches()) {
      boolean list = m.group(4) != null;
      if (list && method.equals("POST")) {
        return appSettings(m.group(2), m.group(3), null);
      }
      if (!list && method.equals("PUT")) {
        return appSettings(m.group(2), m.group(3), body);
      }
    }
    if ((m = SCALE_SET_DELETE.matcher(path)).matches() && method.equals("POST")) {
      return deleteInstances(m.group(2), m.group(3), body);
    }
    if ((m = SCALE_SET.matcher(path)).matches()) {
      switch (method) {
        case "GET":
          return getScaleSet(m.group(2), m.group(3));
        case "PATCH":
          return patchScaleSet(m.group(2), m.group(3), body, exchange.getRequestHeaders().getFirst("If-Match"));
        case "PUT":
          return putScaleSet(m.group(2), m.group(3), body);
        default:
          break;
      }
    }
    if ((m = MACHINES.matcher(path)).matches() && method.equals("GET")) {
      return listMachines(m.group(2), query, path);
    }
    if ((m = INSTANCE_VIEW.matcher(path)).matches() && method.equals("GET")) {
      Vm vm = machines.get(key(machineId(m.group(2), m.group(3))));
      return vm == null ? notFound("virtualMachines", m.group(3), m.group(2)) : new Response(200, write(instanceView(vm)));
    }
    if ((m = MACHINE.matcher(path)).matches()) {
      Vm vm = machines.get(key(machineId(m.group(2), m.group(3))));
      if (method.equals("GET")) {
        return vm == null ? notFound("virtualMachines", m.group(3), m.group(2))
            : new Response(200, write(machine(vm, "instanceView".equalsIgnoreCase(query.get("$expand")))));
      }
      if (method.equals("DELETE")) {
        if (vm == null) {
          return new Response(204, null);
        }
        vm.provisioning = "Deleting";
        return accepted(newOperation(vm.location(), () -> remove(List.of(vm))), true);
      }
    }
    return new Response(400, error("UnsupportedByFakeArm", "FakeArm does not serve " + method + " " + path));
  }

  /**
   * {@code POST .../config/appsettings/list} (body null) or {@code PUT .../config/appsettings}: the
   * app's settings as a {@code Microsoft.Web/sites/config} resource, as in the REST examples
   * (WebApps_ListApplicationSettings, WebApps_UpdateApplicationSettings). A PUT replaces the whole
   * set with its {@code properties}, which must be an object of strings.
   */
  private Response appSettings(String group, String name, String put) {
    FunctionApp app = functionApps.get(key(functionAppId(group, name)));
    if (app == null) {
      return new Response(404, error("ResourceNotFound", "The Resource 'Microsoft.Web/sites/" + name
          + "' under resource group '" + group + "' was not found."));
    }
    if (put != null) {
      JsonNode json = read(put);
      JsonNode properties = json == null ? null : json.get("properties");
      if (properties == null || !properties.isObject()) {
        return new Response(400, error("BadRequest", "The parameter properties has an invalid value."));
      }
      Map<String, String> settings = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!field.getValue().isTextual()) {
          return new Response(400, error("BadRequest", "The parameter properties has an invalid value."));
        }
        settings.put(field.getKey(), field.getValue().asText());
      }
      app.settings = settings;
      app.writes++;
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put("id", app.id() + "/config/appsettings");
    answer.put("name", "appsettings");
    answer.put("type", "Microsoft.Web/sites/config");
    ObjectNode properties = answer.putObject("properties");
    app.settings.forEach(properties::put);
    return new Response(200, write(answer));
  }

  private Response getScaleSet(String group, String name) {
    ScaleSet set = scaleSets.get(key(scaleSetId(group, name)));
    if (set == null) {
      return notFound("virtualMachineScaleSets", name, group);
    }
    Response response = new Response(200, write(scaleSetJson(set)));
    response.headers.put("ETag", set.etagValue());
    return response;
  }

  private Response putScaleSet(String group, String name, String body) {
    JsonNode json = read(body);
    if (json == null) {
      return new Response(400, error("InvalidRequestContent", "The request content was invalid and could not be deserialized."));
    }
    JsonNode properties = json.path("properties");
    Map<String, String> tags = new LinkedHashMap<>();
    json.path("tags").fields().forEachRemaining(entry -> tags.put(entry.getKey(), entry.getValue().asText()));
    ScaleSet set = new ScaleSet(group, name, properties.path("orchestrationMode").asText("Uniform"),
        properties.path("upgradePolicy").path("mode").asText(null), tags);
    set.location = json.path("location").asText("westeurope");
    set.skuName = json.path("sku").path("name").asText(set.skuName);
    String customData = properties.path("virtualMachineProfile").path("osProfile").path("customData").asText(null);
    set.customData = customData;
    boolean created = scaleSets.put(key(set.id()), set) == null;
    long capacity = json.path("sku").path("capacity").asLong(0);
    set.provisioning = "Updating";
    Operation operation = newOperation(set.location, () -> set.provisioning = "Succeeded");
    resize(set, capacity, operation);
    Response response = new Response(created ? 201 : 200, write(scaleSetJson(set)));
    response.headers.put("Azure-AsyncOperation", operation.url(false));
    return response;
  }

  private Response patchScaleSet(String group, String name, String body, String ifMatch) {
    ScaleSet set = scaleSets.get(key(scaleSetId(group, name)));
    if (set == null) {
      return notFound("virtualMachineScaleSets", name, group);
    }
    if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(set.etagValue())) {
      return new Response(412, error("PreconditionFailed", "The specified precondition 'If-Match = " + ifMatch
          + "' failed: the resource's etag is " + set.etagValue() + "."));
    }
    JsonNode json = read(body);
    if (json == null) {
      return new Response(400, error("InvalidRequestContent", "The request content was invalid and could not be deserialized."));
    }
    if (json.path("tags").isObject()) {
      Map<String, String> tags = new LinkedHashMap<>();
      json.path("tags").fields().forEachRemaining(entry -> tags.put(entry.getKey(), entry.getValue().asText()));
      set.tags = tags;
    }
    JsonNode customData = json.path("properties").path("virtualMachineProfile").path("osProfile").path("customData");
    if (customData.isTextual()) {
      set.customData = customData.asText();
    }
    set.etag++;
    set.provisioning = "Updating";
    Operation operation = newOperation(set.location, () -> set.provisioning = "Succeeded");
    JsonNode capacity = json.path("sku").path("capacity");
    if (capacity.isIntegralNumber()) {
      resize(set, capacity.asLong(), operation);
    }
    Response response = new Response(200, write(scaleSetJson(set)));
    response.headers.put("Azure-AsyncOperation", operation.url(false));
    return response;
  }

  /** Creates or (Azure's own scale-in) deletes VMs to reach the capacity; new VMs settle with the operation. */
  private void resize(ScaleSet set, long capacity, Operation operation) {
    List<Vm> created = new ArrayList<>();
    while (set.capacity < capacity) {
      Vm vm = new Vm(set.resourceGroup, set.name + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8),
          set, set.customData);
      machines.put(key(vm.id()), vm);
      created.add(vm);
      set.capacity++;
    }
    List<Vm> members = machines.values().stream().filter(vm -> vm.scaleSet == set).toList();
    for (int i = members.size() - 1; i >= 0 && set.capacity > capacity; i--) {
      machines.remove(key(members.get(i).id()));
      set.capacity--;
      scaleInDeletions++;
    }
    Runnable settle = operation.effect;
    operation.effect = () -> {
      settle.run();
      for (Vm vm : created) {
        if (machines.containsKey(key(vm.id())) && "Creating".equals(vm.provisioning)) {
          vm.provisioning = "Succeeded";
          vm.power = "starting";
        }
      }
    };
    operation.onFailure = () -> created.forEach(vm -> {
      if (machines.containsKey(key(vm.id()))) {
        vm.provisioning = "Failed";
      }
    });
  }

  private Response deleteInstances(String group, String name, String body) {
    ScaleSet set = scaleSets.get(key(scaleSetId(group, name)));
    if (set == null) {
      return notFound("virtualMachineScaleSets", name, group);
    }
    JsonNode ids = read(body) == null ? null : read(body).path("instanceIds");
    if (ids == null || !ids.isArray() || ids.isEmpty()) {
      return new Response(400, error("InvalidParameter", "Required parameter 'instanceIds' is missing (null)."));
    }
    List<Vm> doomed = new ArrayList<>();
    for (JsonNode id : ids) {
      Vm vm = machines.get(key(machineId(group, id.asText())));
      if (vm == null || vm.scaleSet != set) {
        return new Response(400, error("InvalidParameter", "The instance id '" + id.asText()
            + "' is not a virtual machine of scale set '" + name + "'."));
      }
      doomed.add(vm);
    }
    doomed.forEach(vm -> vm.provisioning = "Deleting");
    return accepted(newOperation(set.location, () -> remove(doomed)), true);
  }

  private void remove(List<Vm> doomed) {
    for (Vm vm : doomed) {
      if (machines.remove(key(vm.id())) != null && vm.scaleSet != null) {
        vm.scaleSet.capacity--;
      }
    }
  }

  private Response listMachines(String group, Map<String, String> query, String path) {
    String filter = query.get("$filter");
    String scaleSetId = null;
    if (filter != null) {
      Matcher m = SCALE_SET_FILTER.matcher(filter.trim());
      if (!m.matches()) {
        return new Response(400, error("InvalidParameter", "The value of parameter $filter is invalid."));
      }
      scaleSetId = m.group(1);
    }
    boolean expand = query.get("$expand") != null;
    if (expand && !"instanceView".equalsIgnoreCase(query.get("$expand"))) {
      return new Response(400, error("InvalidParameter", "The value of parameter $expand is invalid."));
    }
    if (expand && filter == null) {
      return new Response(400, error("InvalidParameter",
          "$expand=instanceView can only be specified if a valid $filter option is specified."));
    }
    List<Vm> matching = new ArrayList<>();
    for (Vm vm : machines.values()) {
      if (vm.resourceGroup.equalsIgnoreCase(group)
          && (scaleSetId == null || (vm.scaleSet != null && vm.scaleSet.id().equalsIgnoreCase(scaleSetId)))) {
        matching.add(vm);
      }
    }
    int from = query.containsKey("$skiptoken") ? Integer.parseInt(query.get("$skiptoken")) : 0;
    int to = Math.min(matching.size(), from + pageSize);
    ObjectNode page = JSON.createObjectNode();
    ArrayNode value = page.putArray("value");
    for (Vm vm : matching.subList(Math.min(from, matching.size()), to)) {
      value.add(machine(vm, expand));
    }
    if (to < matching.size()) {
      StringBuilder next = new StringBuilder(endpoint).append(path.substring(1)).append("?api-version=").append(API_VERSION);
      if (filter != null) {
        next.append("&$filter=").append(encode(filter));
      }
      if (expand) {
        next.append("&$expand=instanceView");
      }
      page.put("nextLink", next.append("&$skiptoken=").append(to).toString());
    }
    return new Response(200, write(page));
  }

  private Response operation(String id, boolean monitor) {
    Operation operation = operations.get(id);
    if (operation == null) {
      return new Response(404, error("NotFound", "The operation " + id + " was not found."));
    }
    if (!monitor) {
      operation.poll();
    }
    if (monitor) {
      if (!operation.done()) {
        Response response = new Response(202, null);
        response.headers.put("Location", operation.url(true));
        return response;
      }
      return new Response(200, null);
    }
    ObjectNode status = JSON.createObjectNode();
    status.put("startTime", operation.started.toString());
    if (operation.done()) {
      status.put("endTime", operation.ended.toString());
    }
    status.put("status", operation.status);
    status.put("name", operation.id);
    if (operation.errorCode != null && operation.done()) {
      ObjectNode error = status.putObject("error");
      error.put("code", operation.errorCode);
      error.put("message", operation.errorMessage);
    }
    return new Response(200, write(status));
  }

  private Operation newOperation(String location, Runnable effect) {
    Operation operation = new Operation(location, effect, operationPolls, nextOperationError, nextOperationMessage);
    nextOperationError = null;
    nextOperationMessage = null;
    operations.put(operation.id, operation);
    return operation;
  }

  private static Response accepted(Operation operation, boolean withLocation) {
    Response response = new Response(202, null);
    response.headers.put("Azure-AsyncOperation", operation.url(false));
    if (withLocation) {
      response.headers.put("Location", operation.url(true));
    }
    return response;
  }

  // ---- JSON, shaped like the examples of azure-rest-api-specs. ----

  private ObjectNode scaleSetJson(ScaleSet set) {
    ObjectNode json = JSON.createObjectNode();
    json.put("name", set.name);
    json.put("id", set.id());
    json.put("type", "Microsoft.Compute/virtualMachineScaleSets");
    json.put("location", set.location);
    json.put("etag", set.etagValue());
    ObjectNode tags = json.putObject("tags");
    set.tags.forEach(tags::put);
    ObjectNode sku = json.putObject("sku");
    sku.put("name", set.skuName);
    sku.put("tier", "Standard");
    sku.put("capacity", set.capacity);
    ObjectNode properties = json.putObject("properties");
    properties.put("orchestrationMode", set.orchestrationMode);
    properties.put("singlePlacementGroup", false);
    properties.put("platformFaultDomainCount", 1);
    if (set.upgradeMode != null) {
      properties.putObject("upgradePolicy").put("mode", set.upgradeMode);
    }
    ObjectNode profile = properties.putObject("virtualMachineProfile");
    ObjectNode os = profile.putObject("osProfile");
    os.put("computerNamePrefix", set.name);
    os.put("adminUsername", "azureuser");
    os.putObject("linuxConfiguration").put("disablePasswordAuthentication", true);
    // customData is never returned, as ARM does not.
    ObjectNode storage = profile.putObject("storageProfile");
    ObjectNode image = storage.putObject("imageReference");
    image.put("publisher", "Canonical");
    image.put("offer", "ubuntu-24_04-lts");
    image.put("sku", "server");
    image.put("version", "latest");
    ObjectNode osDisk = storage.putObject("osDisk");
    osDisk.put("createOption", "FromImage");
    osDisk.put("caching", "ReadWrite");
    osDisk.putObject("managedDisk").put("storageAccountType", "Standard_LRS");
    properties.put("provisioningState", set.provisioning);
    properties.put("uniqueId", set.uniqueId);
    properties.put("timeCreated", set.created.toString());
    return json;
  }

  private ObjectNode machine(Vm vm, boolean withInstanceView) {
    ObjectNode json = JSON.createObjectNode();
    json.put("name", vm.name);
    json.put("id", vm.id());
    json.put("type", "Microsoft.Compute/virtualMachines");
    json.put("location", vm.location());
    ObjectNode properties = json.putObject("properties");
    properties.put("vmId", vm.vmId);
    properties.putObject("hardwareProfile").put("vmSize", vm.scaleSet == null ? "Standard_D2s_v3" : vm.scaleSet.skuName);
    if (vm.scaleSet != null) {
      properties.putObject("virtualMachineScaleSet").put("id", vm.scaleSet.id());
    }
    ObjectNode os = properties.putObject("osProfile");
    os.put("computerName", vm.computerName);
    os.put("adminUsername", "azureuser");
    os.putObject("linuxConfiguration").put("disablePasswordAuthentication", true);
    properties.put("provisioningState", vm.provisioning);
    properties.put("timeCreated", vm.created.toString());
    if (withInstanceView) {
      properties.set("instanceView", instanceView(vm));
    }
    return json;
  }

  private static ObjectNode instanceView(Vm vm) {
    ObjectNode view = JSON.createObjectNode();
    view.put("computerName", vm.computerName);
    view.put("osName", "ubuntu");
    view.put("osVersion", "24.04");
    ArrayNode statuses = view.putArray("statuses");
    ObjectNode provisioning = statuses.addObject();
    String state = vm.provisioning.toLowerCase(Locale.ROOT);
    provisioning.put("code", "ProvisioningState/" + state);
    provisioning.put("level", "Failed".equals(vm.provisioning) ? "Error" : "Info");
    provisioning.put("displayStatus", switch (state) {
      case "succeeded" -> "Provisioning succeeded";
      case "failed" -> "Provisioning failed";
      default -> vm.provisioning;
    });
    provisioning.put("time", vm.created.toString());
    if (vm.power != null) {
      ObjectNode power = statuses.addObject();
      power.put("code", "PowerState/" + vm.power);
      power.put("level", "Info");
      power.put("displayStatus", "VM " + vm.power);
    }
    return view;
  }

  private static String error(String code, String message) {
    ObjectNode json = JSON.createObjectNode();
    ObjectNode error = json.putObject("error");
    error.put("code", code);
    error.put("message", message);
    return write(json);
  }

  private static Response notFound(String type, String name, String group) {
    return new Response(404, error("ResourceNotFound", "The Resource 'Microsoft.Compute/" + type + "/" + name
        + "' under resource group '" + group + "' was not found."));
  }

  private static String write(JsonNode json) {
    try {
      return JSON.writeValueAsString(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static JsonNode read(String body) {
    try {
      return body == null || body.isBlank() ? null : JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int at = pair.indexOf('=');
      String name = at < 0 ? pair : pair.substring(0, at);
      String value = at < 0 ? "" : pair.substring(at + 1);
      query.put(decode(name), decode(value));
    }
    return query;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String encode(String text) {
    return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String key(String resourceId) {
    return resourceId.toLowerCase(Locale.ROOT);
  }

  private String scaleSetId(String group, String name) {
    return "/subscriptions/" + subscriptionId + "/resourceGroups/" + group
        + "/providers/Microsoft.Compute/virtualMachineScaleSets/" + name;
  }

  private String machineId(String group, String name) {
    return "/subscriptions/" + subscriptionId + "/resourceGroups/" + group + "/providers/Microsoft.Compute/virtualMachines/"
        + name;
  }

  private String functionAppId(String group, String name) {
    return "/subscriptions/" + subscriptionId + "/resourceGroups/" + group + "/providers/Microsoft.Web/sites/" + name;
  }

  private FunctionApp functionApp(String functionAppId) {
    FunctionApp app = functionApps.get(key(functionAppId));
    if (app == null) {
      throw new IllegalArgumentException("no function app " + functionAppId);
    }
    return app;
  }

  private ScaleSet scaleSet(String scaleSetId) {
    ScaleSet set = scaleSets.get(key(scaleSetId));
    if (set == null) {
      throw new IllegalArgumentException("no scale set " + scaleSetId);
    }
    return set;
  }

  private Vm machineByName(String name) {
    return machines.values().stream().filter(vm -> vm.name.equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no VM " + name));
  }

  private static final class Response {
    final int status;
    final String body;
    final Map<String, String> headers = new LinkedHashMap<>();

    Response(int status, String body) {
      this.status = status;
      this.body = body;
    }
  }

  private static final class Fault {
    final String method;
    final Pattern path;
    final int status;
    final String code;
    final String message;
    final Map<String, String> headers;
    int times;

    Fault(String method, Pattern path, int status, String code, String message, Map<String, String> headers, int times) {
      this.method = method;
      this.path = path;
      this.status = status;
      this.code = code;
      this.message = message;
      this.headers = headers;
      this.times = times;
    }
  }

  private final class ScaleSet {
    final String resourceGroup;
    final String name;
    final String orchestrationMode;
    final String upgradeMode;
    final String uniqueId = UUID.randomUUID().toString();
    final Instant created = Instant.now();
    Map<String, String> tags;
    String location = "westeurope";
    String skuName = "Standard_D2s_v3";
    String provisioning = "Succeeded";
    String customData;
    long capacity;
    long etag = 1;

    ScaleSet(String resourceGroup, String name, String orchestrationMode, String upgradeMode, Map<String, String> tags) {
      this.resourceGroup = resourceGroup;
      this.name = name;
      this.orchestrationMode = orchestrationMode;
      this.upgradeMode = upgradeMode;
      this.tags = tags;
    }

    String id() {
      return scaleSetId(resourceGroup, name);
    }

    String etagValue() {
      return "\"" + etag + "\"";
    }
  }

  private final class FunctionApp {
    final String resourceGroup;
    final String name;
    Map<String, String> settings;
    int writes;

    FunctionApp(String resourceGroup, String name, Map<String, String> settings) {
      this.resourceGroup = resourceGroup;
      this.name = name;
      this.settings = settings;
    }

    String id() {
      return functionAppId(resourceGroup, name);
    }
  }

  private final class Vm {
    final String resourceGroup;
    final String name;
    final ScaleSet scaleSet;
    final String customData;
    final String vmId = UUID.randomUUID().toString();
    final String computerName;
    final Instant created = Instant.now();
    String provisioning = "Creating";
    String power;

    Vm(String resourceGroup, String name, ScaleSet scaleSet, String customData) {
      this.resourceGroup = resourceGroup;
      this.name = name;
      this.scaleSet = scaleSet;
      this.customData = customData;
      this.computerName = (scaleSet == null ? name : scaleSet.name + Integer.toHexString(name.hashCode() & 0xffffff));
    }

    String id() {
      return machineId(resourceGroup, name);
    }

    String location() {
      return scaleSet == null ? "westeurope" : scaleSet.location;
    }
  }

  private final class Operation {
    final String id = UUID.randomUUID().toString();
    final String location;
    final Instant started = Instant.now();
    final String errorCode;
    final String errorMessage;
    Runnable effect;
    Runnable onFailure = () -> {};
    int pollsLeft;
    String status = "InProgress";
    Instant ended;

    Operation(String location, Runnable effect, int polls, String errorCode, String errorMessage) {
      this.location = location;
      this.effect = effect;
      this.pollsLeft = polls;
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
    }

    void poll() {
      if (done()) {
        return;
      }
      if (pollsLeft-- > 0) {
        return;
      }
      ended = Instant.now();
      if (errorCode != null) {
        status = "Failed";
        onFailure.run();
      } else {
        status = "Succeeded";
        effect.run();
      }
    }

    boolean done() {
      return ended != null;
    }

    String url(boolean monitor) {
      return endpoint + "subscriptions/" + subscriptionId + "/providers/Microsoft.Compute/locations/" + location
          + "/operations/" + id + "?" + (monitor ? "monitor=true&" : "") + "api-version=" + API_VERSION;
    }
  }

  @Override
  public String toString() {
    return "FakeArm[" + endpoint + "]";
  }
}
