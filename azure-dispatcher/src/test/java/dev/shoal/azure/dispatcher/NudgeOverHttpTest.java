package dev.shoal.azure.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.functions.HttpResponseMessage;
import dev.shoal.azure.FakeFunctionsHost;
import dev.shoal.azure.FunctionNudger;
import dev.shoal.spi.QueueOptions;
import dev.shoal.testing.Await;
import dev.shoal.testing.InMemoryTransport;
import dev.shoal.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The client's {@link FunctionNudger} and the Function's real HTTP adapter, end to end: the nudger
 * posts over HTTP to a fake of the Functions host's front end, which checks the key and hands the
 * body to {@link DispatcherFunctions#nudge}, which evaluates the step over an in-memory queue and
 * pool, as the host would call it.
 */
class NudgeOverHttpTest {
  private static final String KEY = "nudge-key-fedcba9876543210";

  @Test
  void aClientsNudgeReachesTheFunctionAndSizesThePoolFromItsTasks() throws Exception {
    ManualClock clock = new ManualClock();
    try (InMemoryTransport transport = new InMemoryTransport();
         InMemoryComputeProvider provider = new InMemoryComputeProvider(clock)) {
      String queue = transport.createQueue("shoal-tasks", QueueOptions.defaults()).join();
      transport.send(queue, IntStream.range(0, 3).mapToObj(i -> "bundle".getBytes(StandardCharsets.UTF_8)).toList())
          .join();
      DispatcherFunctions functions = new DispatcherFunctions(FunctionSettings.fromEnvironment(
          DispatcherFunctionsTest.environment(Map.of())), transport, provider, clock);

      try (FakeFunctionsHost host = FakeFunctionsHost.start(DispatcherFunctions.NUDGE, KEY, body -> {
             HttpResponseMessage response = functions.nudge(FunctionsInvocation.post(body, Map.of()),
                 new FunctionsInvocation(DispatcherFunctions.NUDGE));
             return new FakeFunctionsHost.Reply(response.getStatusCode(), response.getHeader("Content-Type"),
                 (String) response.getBody());
           });
           FunctionNudger nudger = FunctionNudger.builder().url(host.url()).functionKey(KEY).clock(clock).build()) {
        // What a queue executor tells its listener after sending 24 tasks in 3 bundles.
        nudger.published(24, 3);

        Await.until(Duration.ofSeconds(20), () -> nudger.nudges() == 1, () -> "the nudge accepted: " + host.requests());
      }

      // 3 messages of 8 tasks, 2 slots a worker: 12 workers.
      assertThat(provider.workers()).hasSize(12);
    }
  }
}
