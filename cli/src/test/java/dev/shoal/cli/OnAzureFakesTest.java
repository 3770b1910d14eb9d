package dev.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.azure.dispatcher.StandaloneDispatcher;
import dev.shoal.azure.fake.FakeArm;
import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.azure.servicebus.ServiceBusTransportProvider;
import dev.shoal.cli.CliRun.Result;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commands on Azure's parts, against the fakes the real SDK talks to: the dlq and status
 * commands on Service Bus ({@code FakeServiceBus}), and dispatch --cloud azure with the Function's
 * settings on it and a scale set on {@code FakeArm} (the one part given by the test: ARM's client on
 * the fake's pipeline, where the command would sign in with DefaultAzureCredential).
 */
@org.junit.jupiter.api.Timeout(180)
class OnAzureFakesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeServiceBus bus;
  private static Transport transport;

  private FakeArm arm;
  private String queueName;
  private String queue;
  private String scaleSet;

  @BeforeAll
  static void start() {
    bus = FakeServiceBus.start();
    transport = new ServiceBusTransportProvider().create(bus.transportSettings());
  }

  @AfterAll
  static void stop() {
    transport.close();
    bus.close();
  }

  @BeforeEach
  void queueAndScaleSet() {
    queueName = "cli-" + UUID.randomUUID().toString().substring(0, 8);
    queue = transport.createQueue(queueName, QueueOptions.defaults().withMaxReceiveCount(5)).join();
  }

  private List<String> serviceBus() {
    List<String> args = new ArrayList<>(List.of("--transport", "servicebus"));
    bus.transportSettings().forEach((key, value) -> args.addAll(List.of("--setting", key + "=" + value)));
    args.addAll(List.of("--queue", queueName));
    return args;
  }

  private Result run(CliRun shoal, List<String> head, List<String> tail) {
    List<String> args = new ArrayList<>(head);
    args.addAll(tail);
    return shoal.run(args.toArray(String[]::new));
  }

  /** Receives until {@code count} messages came, at most ten polls. */
  private static List<ReceivedMessage> receive(String address, int count) {
    List<ReceivedMessage> received = new ArrayList<>();
    for (int poll = 0; poll < 10 && received.size() < count; poll++) {
      received.addAll(transport.receive(address, count - received.size(), Duration.ofSeconds(2))
          .orTimeout(30, TimeUnit.SECONDS).join());
    }
    return received;
  }

  @Test
  void deadLettersOnServiceBusAreListedWithTheirReasonAndRedrivenAndPurged() {
    byte[] body = "{\"v\":1,\"kind\":\"tasks\",\"tasks\":[]}".getBytes(StandardCharsets.UTF_8);
    transport.send(queue, List.of(body, "garbage".getBytes(StandardCharsets.UTF_8))).join();
    List<ReceivedMessage> received = receive(queue, 2);
    assertThat(received).hasSize(2);
    for (ReceivedMessage message : received) {
      transport.deadLetter(queue, message, "malformed: test " + message.body().length).join();
    }
    CliRun shoal = CliRun.shoal();

    Result list = run(shoal, List.of("dlq", "list"), serviceBus());
    Result again = run(shoal, List.of("dlq", "list"), serviceBus());
    assertThat(list.exit()).as("%s", list).isZero();
    assertThat(list.out()).contains("malformed: test 33", "malformed: test 7", "(unreadable)",
        "2 dead letter(s) in " + queue + "/$deadletterqueue");
    // Peeked, not received: the same receive counts the second time.
    assertThat(again.out()).isEqualTo(list.out());

    Result redrive = run(shoal, List.of("dlq", "redrive", "--all"), serviceBus());
    assertThat(redrive.exit()).as("%s", redrive).isZero();
    assertThat(redrive.out()).contains("redrove 2 dead letter(s) to " + queue);
    List<ReceivedMessage> back = receive(queue, 2);
    assertThat(back).extracting(m -> new String(m.body(), StandardCharsets.UTF_8))
        .containsExactlyInAnyOrder(new String(body, StandardCharsets.UTF_8), "garbage");

    for (ReceivedMessage message : back) {
      transport.deadLetter(queue, message, "malformed: again").join();
    }
    Result purge = run(shoal, List.of("dlq", "purge", "--yes"), serviceBus());
    Result empty = run(shoal, List.of("dlq", "list"), serviceBus());
    assertThat(purge.exit()).as("%s", purge).isZero();
    assertThat(purge.out()).contains("purged 2 dead letter(s)");
    assertThat(empty.out()).contains("no dead letters in " + queue + "/$deadletterqueue");
  }

  /** The Function's app settings for this queue and scale set, as main.bicep sets them. */
  private Map<String, String> functionSettings() {
    Map<String, String> env = new HashMap<>();
    env.put("SHOAL_TASK_QUEUE", queueName);
    bus.transportSettings().forEach((key, value) ->
        env.put("SHOAL_TRANSPORT_SETTING_" + key.replace(".", "__"), value));
    env.put("SHOAL_SCALE_SET_ID", scaleSet);
    env.put("SHOAL_WORKER_JAR_URL", "https://shoalartifacts.blob.core.windows.net/jars/shoal-worker.jar");
    env.put("SHOAL_MAX_WORKERS", "5");
    env.put("SHOAL_SLOTS_PER_WORKER", "2");
    return env;
  }

  /** The standard dispatchers, but ARM reached through the fake. */
  private DispatcherFactory onFakeArm() {
    return (cloud, settings, clientSettings) -> cloud == Cloud.AZURE
        ? StandaloneDispatcher.builder().environment(settings).computeManager(arm.computeManager()).build()
        : DispatcherFactory.standard().open(cloud, settings, clientSettings);
  }

  @Test
  void dispatchScalesTheScaleSetForTheBacklogAndStatusShowsItsWorkers() throws Exception {
    arm = FakeArm.start();
    try {
      scaleSet = arm.createPool("shoal-rg", "workers-" + queueName, "pool-" + queueName);
      transport.send(queue, IntStream.range(0, 5).mapToObj(i -> ("m" + i).getBytes(StandardCharsets.UTF_8))
          .toList()).join();
      String vmQueueName = queueName + "-vm";
      String vmQueue = transport.createQueue(vmQueueName, QueueOptions.defaults()).join();
      transport.send(vmQueue, List.of("command".getBytes(StandardCharsets.UTF_8))).join();
      Map<String, String> settings = functionSettings();
      settings.put("SHOAL_VM_QUEUE", vmQueueName);
      CliRun shoal = CliRun.shoal().env(settings).dispatchers(onFakeArm());

      Result step = shoal.run("dispatch", "--cloud", "azure");
      Result status = shoal.run("status", "--cloud", "azure", "--json");

      assertThat(step.exit()).as("%s", step).isZero();
      // 5 tasks and 1 on the VM-only queue, 2 slots a worker: 3 workers.
      assertThat(step.out()).contains("scale out 0 -> 3: demand 6 tasks").contains("; launched ");
      assertThat(arm.vmNames(scaleSet)).hasSize(3);
      assertThat(status.exit()).as("%s", status).isZero();
      JsonNode report = JSON.readTree(status.out());
      assertThat(report.path("queues").get(0).path("address").asText()).isEqualTo(queue);
      assertThat(report.path("queues").get(0).path("waiting").asLong()).isEqualTo(5);
      assertThat(report.path("queues").get(0).path("deadLetters").asLong()).isZero();
      assertThat(report.path("queues").get(1).path("role").asText()).isEqualTo("vm");
      assertThat(report.path("queues").get(1).path("address").asText()).isEqualTo(vmQueue);
      assertThat(report.path("queues").get(1).path("waiting").asLong()).isEqualTo(1);
      assertThat(report.path("pool").path("name").asText()).isEqualTo(scaleSet);
      assertThat(report.path("pool").path("workers")).hasSize(3);
      assertThat(report.path("pool").path("workers").get(0).path("phase").asText()).isEqualTo("pending");
    } finally {
      arm.close();
    }
  }

  @Test
  void azureTakesNoClientSettings() {
    arm = FakeArm.start();
    try {
      scaleSet = arm.createPool("shoal-rg", "workers-" + queueName, "pool-" + queueName);
      Result result = CliRun.shoal().env(functionSettings()).run("dispatch", "--cloud", "azure", "--client-setting",
          "endpoint=http://localhost:1");

      assertThat(result.exit()).isEqualTo(2);
      assertThat(result.err()).contains("--client-setting is for AWS's clients");
    } finally {
      arm.close();
    }
  }
}
