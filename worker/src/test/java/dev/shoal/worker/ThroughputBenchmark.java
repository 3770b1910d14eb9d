package dev.shoal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.internal.wire.TaskEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-task overhead of the worker: no-op tasks through the in-memory transport with 2 slots.
 * Run with {@code mvn -pl worker test -Dtest=ThroughputBenchmark -Dshoal.bench=true}.
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class ThroughputBenchmark {
  private static final int TASKS = 10_000;

  @ParameterizedTest(name = "{0} task(s) per message")
  @ValueSource(ints = {1, 10, 100})
  void noOpTasks(int perMessage) {
    for (int round = 0; round < 3; round++) {
      try (Harness h = new Harness(Duration.ofSeconds(30))) {
        long id = 1;
        for (int sent = 0; sent < TASKS; sent += perMessage) {
          List<TaskEnvelope> bundle = new ArrayList<>(perMessage);
          for (int i = 0; i < perMessage; i++) {
            bundle.add(h.task(id, "test.noop", id));
            id++;
          }
          h.send(bundle.toArray(TaskEnvelope[]::new));
        }
        long start = System.nanoTime();
        h.start(h.options().withSlots(2));
        int results = h.awaitResults(TASKS).size();
        Harness.await("the queue to drain", () -> h.depth().total() == 0);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("round %d, %3d task(s) per message: %,d tasks in %.2f s = %,.0f tasks/s%n",
            round, perMessage, TASKS, seconds, TASKS / seconds);
        assertThat(results).isEqualTo(TASKS);
      }
    }
  }
}
