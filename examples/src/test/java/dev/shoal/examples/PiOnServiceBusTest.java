package dev.shoal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.azure.servicebus.ServiceBusClients;
import dev.shoal.spi.Transport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The README demo on Azure Service Bus by configuration alone: the same program, {@code --transport
 * servicebus} and the namespace's settings, two worker JVMs on this machine. The namespace is
 * {@link FakeServiceBus}, a protocol-level fake that the real Azure SDK talks AMQP and HTTP to.
 */
class PiOnServiceBusTest {

  @Test
  void theDemoRunsOnServiceBusByConfigurationAlone() throws Exception {
    try (FakeServiceBus bus = FakeServiceBus.start()) {
      List<String> args = new ArrayList<>(List.of("--tasks", "20", "--samples", "20000", "--workers", "2",
          "--idle-timeout", "1", "--transport", "servicebus"));
      bus.transportSettings().forEach((key, value) -> {
        args.add("--setting");
        args.add(key + "=" + value);
      });
      String printed = printedBy(() -> PiDemo.main(args.toArray(String[]::new)));

      assertThat(printed).containsPattern("pi ~ 3\\.1\\d+").contains("tasks: 21 submitted, 21 succeeded, 0 failed");
      try (Transport serviceBus = ServiceBusClients.transport(bus.transportSettings())) {
        String tasks = serviceBus.queueAddress("shoal-tasks").get(30, TimeUnit.SECONDS);
        assertThat(tasks).as("the task queue lives on the Service Bus fake").startsWith("sb://");
        assertThat(serviceBus.depth(tasks).get(30, TimeUnit.SECONDS).total()).as("every task taken").isZero();
      }
    }
  }

  /**
   * The same demo against a real namespace or Microsoft's emulator, when {@code
   * SHOAL_SERVICEBUS_CONNECTION} holds a connection string with Manage rights: the client and the
   * worker JVMs (which inherit this environment) read it from there, not from a command line.
   * {@code SHOAL_SERVICEBUS_ADMIN_ENDPOINT} points at the emulator's management port.
   */
  @Test
  @EnabledIfEnvironmentVariable(named = ServiceBusClients.CONNECTION_ENV, matches = ".+", disabledReason =
      ServiceBusClients.CONNECTION_ENV + " is not set: no Service Bus namespace or emulator for the demo")
  void theDemoRunsOnARealNamespaceWhenOneIsGiven() {
    List<String> args = new ArrayList<>(List.of("--tasks", "20", "--samples", "20000", "--workers", "2",
        "--idle-timeout", "1", "--transport", "servicebus"));
    String admin = System.getenv("SHOAL_SERVICEBUS_ADMIN_ENDPOINT");
    if (admin != null) {
      args.addAll(List.of("--setting", ServiceBusClients.ADMIN_ENDPOINT + "=" + admin));
    }
    String printed = printedBy(() -> PiDemo.main(args.toArray(String[]::new)));

    assertThat(printed).containsPattern("pi ~ 3\\.1\\d+").contains("tasks: 21 submitted, 21 succeeded, 0 failed");
  }

  private static String printedBy(Runnable program) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      program.run();
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
