package dev.shoal.azure.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpOutput;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.ServiceBusQueueTrigger;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployable layout the build assembles (target/azure-functions/shoal-dispatcher), checked
 * against the code, as the Functions Maven plugin would have generated it: every method annotated
 * {@code @FunctionName} in this module has a {@code <name>/function.json} whose entry point is that
 * method, whose script is the jar the build puts beside it, and whose bindings are the ones its
 * annotations declare (type, direction, name, schedule, auth level, methods); and every
 * function.json has its method. The jar and lib/ are made later, in the package phase, where the
 * build checks them (maven-enforcer-plugin).
 */
class FunctionLayoutTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path layout;
  private static Map<String, Method> functions;

  @BeforeAll
  static void find() throws IOException, URISyntaxException {
    String dir = System.getProperty("shoal.functions.layout");
    assertThat(dir).as("the build passes the layout's folder (shoal.functions.layout)").isNotBlank();
    layout = Path.of(dir);
    functions = new TreeMap<>();
    Path classes = Path.of(DispatcherFunctions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
        Class<?> type = Class.forName(name.substring(0, name.length() - ".class".length()), false,
            FunctionLayoutTest.class.getClassLoader());
        for (Method method : type.getDeclaredMethods()) {
          FunctionName function = method.getAnnotation(FunctionName.class);
          if (function != null) {
            assertThat(functions.put(function.value(), method)).as("function %s named twice", function.value())
                .isNull();
          }
        }
      }
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
    assertThat(functions).as("@FunctionName methods in %s", classes).isNotEmpty();
  }

  @Test
  void everyFunctionHasAFunctionJsonThatRunsItsMethodFromTheJarBesideIt() throws Exception {
    String jar = System.getProperty("shoal.functions.jar");
    assertThat(jar).isNotBlank();
    for (Map.Entry<String, Method> entry : functions.entrySet()) {
      Method method = entry.getValue();
      JsonNode json = read(entry.getKey());
      assertThat(json.path("scriptFile").asText()).as(entry.getKey()).isEqualTo("../" + jar);
      assertThat(json.path("entryPoint").asText()).as(entry.getKey())
          .isEqualTo(method.getDeclaringClass().getName() + "." + method.getName());
      // What the Functions worker needs to call it: a public method, unique by name in a public class it can make.
      assertThat(Modifier.isPublic(method.getModifiers())).as("%s is public", method).isTrue();
      assertThat(Modifier.isPublic(method.getDeclaringClass().getModifiers())).isTrue();
      assertThat(method.getDeclaringClass().getConstructor()).isNotNull();
      assertThat(Arrays.stream(method.getDeclaringClass().getMethods()).filter(m -> m.getName().equals(method.getName())))
          .as("overloads of %s", method.getName()).hasSize(1);
    }
  }

  @Test
  void everyFunctionJsonDeclaresExactlyTheBindingsOfItsMethodsAnnotations() throws IOException {
    for (Map.Entry<String, Method> entry : functions.entrySet()) {
      List<Map<String, String>> declared = new ArrayList<>();
      for (JsonNode binding : read(entry.getKey()).path("bindings")) {
        declared.add(describe(binding));
      }
      assertThat(declared).as("bindings of %s", entry.getKey())
          .containsExactlyInAnyOrderElementsOf(expectedBindings(entry.getValue()));
    }
  }

  @Test
  void theTriggersAreAMinutelyTimerAndAKeyedPostForTheNudge() throws IOException {
    JsonNode tick = read(DispatcherFunctions.TICK).path("bindings").get(0);
    assertThat(tick.path("type").asText()).isEqualTo("timerTrigger");
    assertThat(tick.path("schedule").asText()).isEqualTo("0 * * * * *");
    JsonNode nudge = read(DispatcherFunctions.NUDGE).path("bindings").get(0);
    assertThat(nudge.path("type").asText()).isEqualTo("httpTrigger");
    assertThat(nudge.path("authLevel").asText()).isEqualToIgnoringCase("function");
    assertThat(nudge.path("methods")).extracting(JsonNode::asText).containsExactly("post");
  }

  @Test
  void theWorkerFunctionTakesBatchesOfTheTaskQueueAndTheHostSettlesAndRenewsThem() throws IOException {
    JsonNode trigger = read(WorkerFunctions.WORK).path("bindings").get(0);
    assertThat(trigger.path("type").asText()).isEqualTo("serviceBusTrigger");
    assertThat(trigger.path("cardinality").asText()).isEqualToIgnoringCase("many");
    assertThat(trigger.path("queueName").asText()).isEqualTo("%" + WorkerFunctionSettings.TASK_QUEUE_NAME + "%");
    assertThat(trigger.path("connection").asText()).isEqualTo(WorkerFunctionSettings.CONNECTION);
    // The bodies as strings: the metadata arrays the method takes are indexed like them.
    assertThat(trigger.path("dataType").asText()).isEqualTo("string");
    JsonNode serviceBus = JSON.readTree(layout.resolve("host.json").toFile()).path("extensions").path("serviceBus");
    // The Java worker cannot settle a message itself: the host completes a batch that returned, abandons one that threw.
    assertThat(serviceBus.path("autoCompleteMessages").asBoolean(true)).isTrue();
    // Locks are renewed by the host, for as long as the longest batch may run (BicepTest checks the burst app's timeout).
    assertThat(WorkerFunctionSettings.timeSpan(serviceBus.path("maxAutoLockRenewalDuration").asText("00:05:00")))
        .isGreaterThanOrEqualTo(java.time.Duration.ofMinutes(10));
    // No prefetch: a prefetched message's lock runs while it waits, unrenewed.
    assertThat(serviceBus.path("prefetchCount").asInt(0)).isZero();
    assertThat(serviceBus.path("maxMessageBatchSize").asInt(1000)).isBetween(1, 100);
  }

  @Test
  void everyFunctionJsonInTheLayoutHasItsMethodAndTheHostJsonIsVersion2() throws IOException {
    Set<String> folders = new TreeSet<>();
    try (Stream<Path> entries = Files.list(layout)) {
      entries.filter(path -> Files.isRegularFile(path.resolve("function.json")))
          .forEach(path -> folders.add(path.getFileName().toString()));
    }
    assertThat(folders).isEqualTo(functions.keySet());
    JsonNode host = JSON.readTree(layout.resolve("host.json").toFile());
    assertThat(host.path("version").asText()).isEqualTo("2.0");
    // The nudge's URL is https://<app>/api/nudge, as the Bicep's nudgeUrl output says.
    assertThat(host.path("extensions").path("http").path("routePrefix").asText("api")).isEqualTo("api");
  }

  private static JsonNode read(String function) throws IOException {
    Path file = layout.resolve(function).resolve("function.json");
    assertThat(file).as("function.json of %s", function).isRegularFile();
    return JSON.readTree(file.toFile());
  }

  /** A binding as a comparable map; auth level and methods are case-insensitive to the host. */
  private static Map<String, String> describe(JsonNode binding) {
    Map<String, String> described = new TreeMap<>();
    binding.fields().forEachRemaining(field -> {
      String value = field.getValue().isArray()
          ? stream(field.getValue()).map(node -> node.asText().toLowerCase(Locale.ROOT)).sorted()
              .collect(Collectors.joining(","))
          : field.getValue().asText();
      described.put(field.getKey(), field.getKey().equals("authLevel") ? value.toLowerCase(Locale.ROOT) : value);
    });
    return described;
  }

  private static Stream<JsonNode> stream(JsonNode array) {
    List<JsonNode> nodes = new ArrayList<>();
    array.forEach(nodes::add);
    return nodes.stream();
  }

  /** The bindings the Functions Maven plugin would write for this method. */
  private static List<Map<String, String>> expectedBindings(Method method) {
    List<Map<String, String>> bindings = new ArrayList<>();
    for (Parameter parameter : method.getParameters()) {
      for (Annotation annotation : parameter.getAnnotations()) {
        if (annotation instanceof TimerTrigger timer) {
          bindings.add(binding("timerTrigger", "in", timer.name(), timer.dataType(), Map.of("schedule",
              timer.schedule())));
        } else if (annotation instanceof HttpTrigger http) {
          Map<String, String> more = new TreeMap<>();
          more.put("authLevel", http.authLevel().name().toLowerCase(Locale.ROOT));
          more.put("methods", Arrays.stream(http.methods()).map(HttpMethod::name)
              .map(name -> name.toLowerCase(Locale.ROOT)).sorted().collect(Collectors.joining(",")));
          if (!http.route().isEmpty()) {
            more.put("route", http.route());
          }
          bindings.add(binding("httpTrigger", "in", http.name(), http.dataType(), more));
        } else if (annotation instanceof ServiceBusQueueTrigger trigger) {
          // As the host reads it; the plugin also writes "access", which identity connections do not use.
          Map<String, String> more = new TreeMap<>();
          more.put("queueName", trigger.queueName());
          more.put("connection", trigger.connection());
          more.put("cardinality", trigger.cardinality().name().toLowerCase(Locale.ROOT));
          more.put("isSessionsEnabled", Boolean.toString(trigger.isSessionsEnabled()));
          bindings.add(binding("serviceBusTrigger", "in", trigger.name(), trigger.dataType(), more));
        } else if (annotation instanceof BindingName) {
          // Trigger metadata (DeliveryCountArray, ...), not a binding: the plugin writes nothing for it.
          continue;
        } else if (annotation instanceof HttpOutput output) {
          bindings.add(binding("http", "out", output.name(), output.dataType(), Map.of()));
        } else if (annotation.annotationType().getPackageName().equals(FunctionName.class.getPackageName())) {
          throw new AssertionError("this test does not know the binding " + annotation + " of " + method
              + ": teach it, as the Functions Maven plugin would write it");
        }
      }
    }
    if (HttpResponseMessage.class.isAssignableFrom(method.getReturnType())) {
      bindings.add(binding("http", "out", "$return", "", Map.of()));
    }
    return bindings;
  }

  private static Map<String, String> binding(String type, String direction, String name, String dataType,
      Map<String, String> more) {
    Map<String, String> binding = new TreeMap<>(more);
    binding.put("type", type);
    binding.put("direction", direction);
    binding.put("name", name);
    if (!dataType.isEmpty()) {
      binding.put("dataType", dataType);
    }
    return binding;
  }
}
