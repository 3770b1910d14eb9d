package dev.shoal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class WorkerOptionsTest {
  private static final WorkerOptions DEFAULTS = WorkerOptions.of("sqs", Map.of(), "tasks");
  private static final WorkerOptions EVERY_FIELD_SET = new WorkerOptions("sqs",
      Map.of("endpoint", "http://localhost:9324", "query", "a=b&c= d", "region", "eu-west-1"),
      "https://sqs.eu-west-1.amazonaws.com/1/tasks", 7, Duration.ofMillis(1500), Duration.ofMinutes(2),
      Duration.ofMillis(250), 9, Path.of("/tmp/shoal work"), "i-0abc", "MY_KEY", Duration.ofSeconds(90),
      Duration.ofMinutes(3), true, URI.create("s3://shoal-payloads/runs"),
      "https://sqs.eu-west-1.amazonaws.com/1/tasks-vm");

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("defaults", DEFAULTS),
        Arguments.of("every field set", EVERY_FIELD_SET),
        Arguments.of("settings", WorkerOptions.of("sqs", Map.of("endpoint", "http://localhost:9324"), "tasks")),
        Arguments.of("slots", DEFAULTS.withSlots(7)),
        Arguments.of("no idle timeout", DEFAULTS.withIdleTimeout(Duration.ZERO)),
        Arguments.of("lease", DEFAULTS.withLease(Duration.ofMinutes(2))),
        Arguments.of("receive wait", DEFAULTS.withReceiveWait(Duration.ofMillis(250))),
        Arguments.of("max deliveries", DEFAULTS.withMaxDeliveries(9)),
        Arguments.of("work dir", DEFAULTS.withWorkDir(Path.of("work"))),
        Arguments.of("worker id", DEFAULTS.withWorkerId("i-0abc")),
        Arguments.of("signing key variable", DEFAULTS.withSigningKeyEnv("MY_KEY")),
        Arguments.of("queue wait", DEFAULTS.withQueueWait(Duration.ofSeconds(90))),
        Arguments.of("vm queue", DEFAULTS.withVmQueue("tasks-vm")),
        Arguments.of("no queue wait", DEFAULTS.withQueueWait(Duration.ZERO)),
        Arguments.of("unreachable timeout", DEFAULTS.withUnreachableTimeout(Duration.ofMinutes(3))),
        Arguments.of("exit with parent", DEFAULTS.withExitWithParent(true)),
        Arguments.of("payload store", DEFAULTS.withPayloadStore(URI.create("file:///var/shoal/payloads"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void parsingTheRenderedArgumentsGivesTheSameOptions(String name, WorkerOptions options) {
    assertThat(WorkerOptions.parse(options.arguments().toArray(String[]::new))).isEqualTo(options);
  }

  @Test
  void theRoundTripWithEveryFieldSetCoversEveryField() throws Exception {
    // A field added later without a value here would make the round trip above prove less.
    for (RecordComponent component : WorkerOptions.class.getRecordComponents()) {
      Object set = component.getAccessor().invoke(EVERY_FIELD_SET);
      Object byDefault = component.getAccessor().invoke(DEFAULTS);
      if (component.getName().equals("transport")) {
        continue; // Required: there is no default to differ from.
      }
      assertThat(set).as(component.getName()).isNotNull().isNotEqualTo(byDefault);
    }
  }

  @Test
  void rendersEveryOptionAfterTheTransportAndQueueWithDefaultsWrittenOut() {
    WorkerOptions options = WorkerOptions.of("sqs", Map.of("region", "us-east-1", "endpoint", "http://x"), "tasks")
        .withSlots(2);

    assertThat(options.arguments()).containsExactly("--transport", "sqs", "--queue", "tasks", "--slots", "2",
        "--lease", "PT30S", "--max-deliveries", "3", "--receive-wait", "PT20S", "--idle-timeout", "PT5M",
        "--queue-wait", "PT10M", "--unreachable-timeout", "PT15M",
        "--setting", "endpoint=http://x", "--setting", "region=us-east-1");
    assertThat(DEFAULTS.arguments()).as("slots left to the worker's machine").doesNotContain("--slots");
    assertThat(DEFAULTS.withIdleTimeout(null).arguments()).containsSequence("--idle-timeout", "0");
    assertThat(DEFAULTS.withQueueWait(Duration.ZERO).arguments()).containsSequence("--queue-wait", "0");
    assertThat(DEFAULTS.withExitWithParent(true).arguments()).endsWith("--exit-with-parent");
    assertThat(DEFAULTS.arguments()).doesNotContain("--payload-store");
    assertThat(DEFAULTS.withPayloadStore(URI.create("s3://b/p")).arguments()).endsWith("--payload-store", "s3://b/p");
  }

  @Test
  void aPayloadStoreWithoutASchemeIsRefusedSayingWhatIsExpected() {
    assertThatThrownBy(() -> WorkerOptions.parse("--transport", "sqs", "--queue", "q", "--payload-store", "bucket/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--payload-store takes a URI with a scheme");
  }

  @Test
  void theShellCommandGivesTheWorkerItsOwnArgumentsBackWhateverTheyHold() throws Exception {
    // Settings with quotes, spaces and shell syntax: bash must hand them to the worker untouched.
    WorkerOptions options = WorkerOptions.of("servicebus",
        Map.of("servicebus.connection", "Endpoint=sb://x/;Key='a b'$(rm -rf /)`id`\\\"", "plain", "v"), "tasks")
        .withSlots(3);
    String command = options.shellCommand("/opt/shoal/worker's.jar", "NAME");
    // A java that prints each argument on its own line, NUL-free; NAME as a boot script sets it.
    String script = "java() { printf '%s\\n' \"$@\"; }\nNAME=vm-7\n" + command + "\n";
    Process bash = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    List<String> printed = new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
        .lines().toList();
    assertThat(bash.waitFor()).isZero();

    assertThat(printed.subList(0, 3)).containsExactly("-cp", "/opt/shoal/worker's.jar", WorkerOptions.MAIN_CLASS);
    List<String> arguments = printed.subList(3, printed.size());
    assertThat(arguments.subList(arguments.size() - 2, arguments.size())).containsExactly("--worker-id", "vm-7");
    assertThat(WorkerOptions.parse(arguments.subList(0, arguments.size() - 2).toArray(String[]::new)))
        .isEqualTo(options);
    assertThatThrownBy(() -> options.shellCommand("w.jar", "$(id)")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theMainClassIsTheWorkersMain() {
    assertThat(WorkerOptions.MAIN_CLASS).isEqualTo(WorkerMain.class.getName());
  }

  @Test
  void parsesEveryOption() {
    WorkerOptions options = WorkerOptions.parse(
        "--transport", "sqs", "--setting", "endpoint=http://localhost:9324", "--setting=region=eu-west-1",
        "--queue", "tasks", "--slots", "3", "--idle-timeout", "0", "--lease", "PT45S", "--max-deliveries", "5",
        "--receive-wait", "PT2S", "--work-dir", "/tmp/w", "--worker-id", "first", "--signing-key-env", "MY_KEY",
        "--queue-wait", "PT1M30S", "--unreachable-timeout", "PT3M", "--exit-with-parent", "--worker-id", "second");

    assertThat(options.transport()).isEqualTo("sqs");
    assertThat(options.transportSettings()).containsExactlyInAnyOrderEntriesOf(
        Map.of("endpoint", "http://localhost:9324", "region", "eu-west-1"));
    assertThat(options.queue()).isEqualTo("tasks");
    assertThat(options.slots()).isEqualTo(3);
    assertThat(options.idleTimeout()).isEqualTo(Duration.ZERO);
    assertThat(options.lease()).isEqualTo(Duration.ofSeconds(45));
    assertThat(options.maxDeliveries()).isEqualTo(5);
    assertThat(options.receiveWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.workDir()).isEqualTo(Path.of("/tmp/w"));
    assertThat(options.workerId()).as("a later --worker-id wins").isEqualTo("second");
    assertThat(options.signingKeyEnv()).isEqualTo("MY_KEY");
    assertThat(options.queueWait()).isEqualTo(Duration.ofSeconds(90));
    assertThat(options.unreachableTimeout()).isEqualTo(Duration.ofMinutes(3));
    assertThat(options.exitWithParent()).isTrue();
  }

  @Test
  void whatIsNotGivenTakesItsDefault() {
    assertThat(WorkerOptions.parse("--transport", "sqs", "--queue", "tasks")).isEqualTo(DEFAULTS);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--queue q                                        | --transport is required",
      "--transport sqs                                  | --queue is required",
      "--transport sqs --queue                          | --queue needs a value",
      "--transport sqs --queue q --slots 0              | --slots takes a whole number >= 1, got '0'",
      "--transport sqs --queue q --slots many           | --slots takes a whole number >= 1, got 'many'",
      "--transport sqs --queue q --max-deliveries -1    | --max-deliveries takes a whole number >= 1, got '-1'",
      "--transport sqs --queue q --lease 30             | --lease takes an ISO-8601 duration such as PT30S, got '30'",
      "--transport sqs --queue q --lease 0              | --lease must be positive, got '0'",
      "--transport sqs --queue q --receive-wait PT0S    | --receive-wait must be positive, got 'PT0S'",
      "--transport sqs --queue q --idle-timeout -PT1S   | --idle-timeout must be zero or positive, got '-PT1S'",
      "--transport sqs --queue q --setting novalue      | --setting takes key=value, got 'novalue'",
      "--transport sqs --queue q --setting =value       | --setting takes key=value, got '=value'",
      "--transport sqs --queue q --worker-id=           | --worker-id must not be empty",
      "--transport sqs --queue q --queue-wait -PT1S     | --queue-wait must be zero or positive, got '-PT1S'",
      "--transport sqs --queue q --unreachable-timeout 0 | --unreachable-timeout must be positive, got '0'",
      "--transport sqs --queue q --exit-with-parent=yes | --exit-with-parent takes no value",
      "--transport sqs --queue q --frobnicate 1         | unknown option --frobnicate",
      "--transport sqs --queue q stray                  | unexpected argument 'stray'"})
  void badArgumentsAreRejectedNamingTheArgument(String line, String message) {
    String[] args = line.split(" ");

    assertThatThrownBy(() -> WorkerOptions.parse(args))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void optionsAWorkerCannotRunWithAreRejected() {
    assertThatThrownBy(() -> DEFAULTS.withSlots(0)).hasMessage("slots must be >= 1: 0");
    assertThatThrownBy(() -> DEFAULTS.withIdleTimeout(Duration.ofSeconds(-1)))
        .hasMessage("idleTimeout must not be negative: PT-1S");
    assertThatThrownBy(() -> DEFAULTS.withLease(Duration.ZERO)).hasMessage("lease must be positive: PT0S");
    assertThatThrownBy(() -> DEFAULTS.withReceiveWait(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> DEFAULTS.withMaxDeliveries(0)).hasMessage("maxDeliveries must be >= 1: 0");
    assertThatThrownBy(() -> DEFAULTS.withQueue(" ")).hasMessage("queue must not be blank");
    assertThatThrownBy(() -> DEFAULTS.withWorkerId("")).hasMessage("workerId must not be blank");
    assertThatThrownBy(() -> DEFAULTS.withQueueWait(Duration.ofSeconds(-1)))
        .hasMessage("queueWait must not be negative: PT-1S");
    assertThatThrownBy(() -> DEFAULTS.withUnreachableTimeout(Duration.ZERO))
        .hasMessage("unreachableTimeout must be positive: PT0S");
    assertThatThrownBy(() -> WorkerOptions.of("sqs", Map.of("a=b", "c"), "tasks"))
        .hasMessage("a transport setting's key must be non-empty and without '=': 'a=b'");
  }

  @Test
  void aNullIdleTimeoutMeansNever() {
    assertThat(DEFAULTS.withIdleTimeout(null)).isEqualTo(DEFAULTS.withIdleTimeout(Duration.ZERO));
  }

  @Test
  void aNullQueueWaitMeansNone() {
    assertThat(DEFAULTS.withQueueWait(null)).isEqualTo(DEFAULTS.withQueueWait(Duration.ZERO));
  }
}
