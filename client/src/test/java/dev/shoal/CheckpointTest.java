package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.app.App1;
import dev.shoal.app.App2;
import dev.shoal.app.Apps;
import dev.shoal.app.TypeRef;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.internal.codec.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  private static final int SQUARES = 20;

  @TempDir Path tempDir;

  private DataFlowKernel kernel(Path checkpoint) {
    return DataFlowKernel.builder()
        .runDir(tempDir.resolve("runs"))
        .checkpoint(checkpoint)
        .executor(ThreadPoolTaskExecutor.builder().threads(4).build())
        .build();
  }

  /** The futures of one run: {@code SQUARES} squares and their sum, the sum last. */
  private static List<AppFuture<Long>> program(DataFlowKernel dfk, App2<String, Long, Long> square, String key) {
    List<AppFuture<Long>> squares = new ArrayList<>();
    for (long i = 1; i <= SQUARES; i++) {
      squares.add(dfk.call(square, key, i));
    }
    List<AppFuture<Long>> all = new ArrayList<>(squares);
    all.add(dfk.call(TestApps.COUNTED_SUM, Arg.of(key), Arg.all(squares)));
    return all;
  }

  private static final long SUM_OF_SQUARES = SQUARES * (SQUARES + 1) * (2 * SQUARES + 1) / 6;

  private static void assertResults(List<AppFuture<Long>> futures) throws Exception {
    for (int i = 0; i < SQUARES; i++) {
      long x = i + 1;
      assertThat(futures.get(i).get(30, SECONDS)).isEqualTo(x * x);
    }
    assertThat(futures.get(SQUARES).get(30, SECONDS)).isEqualTo(SUM_OF_SQUARES);
  }

  @Test
  void aSecondRunReusesEveryTaskFromTheCheckpoint() throws Exception {
    Path checkpoint = tempDir.resolve("state").resolve("checkpoint.jsonl");
    String key = TestApps.key();

    try (DataFlowKernel first = kernel(checkpoint)) {
      List<AppFuture<Long>> futures = program(first, TestApps.COUNTED_SQUARE, key);
      assertResults(futures);
      assertThat(futures).noneMatch(AppFuture::reused);
      first.waitForCurrentTasks();
      assertThat(first.stats().checkpointLoaded()).isZero();
      assertThat(first.stats().checkpointHits()).isZero();
    }
    assertThat(TestApps.count(key)).isEqualTo(SQUARES + 1);
    assertThat(Files.readAllLines(checkpoint)).hasSize(SQUARES + 1);

    try (DataFlowKernel second = kernel(checkpoint)) {
      List<AppFuture<Long>> futures = program(second, TestApps.COUNTED_SQUARE, key);
      assertResults(futures);
      assertThat(futures).allMatch(AppFuture::reused);
      assertThat(futures).allMatch(f -> f.state() == TaskState.DONE);
      second.waitForCurrentTasks();
      RunStats stats = second.stats();
      assertThat(stats.checkpointLoaded()).isEqualTo(SQUARES + 1);
      assertThat(stats.checkpointHits()).isEqualTo(SQUARES + 1);
      assertThat(stats.memoHits()).isEqualTo(SQUARES + 1);
      assertThat(stats.succeeded()).isEqualTo(SQUARES + 1);
    }
    assertThat(TestApps.count(key)).as("nothing ran again").isEqualTo(SQUARES + 1);
    assertThat(Files.readAllLines(checkpoint)).as("reused results are not written again").hasSize(SQUARES + 1);
  }

  @Test
  void bumpingAnAppsVersionInvalidatesOnlyItsResults() throws Exception {
    Path checkpoint = tempDir.resolve("checkpoint.jsonl");
    String key = TestApps.key();
    App2<String, Long, Long> squareV2 = Apps.define(TestApps.COUNTED_SQUARE.name()).version("2").memoize()
        .java(String.class, Long.class, Long.class, (k, x) -> {
          TestApps.counter(k).incrementAndGet();
          return x * x;
        });

    try (DataFlowKernel first = kernel(checkpoint)) {
      assertResults(program(first, TestApps.COUNTED_SQUARE, key));
    }
    assertThat(TestApps.count(key)).isEqualTo(SQUARES + 1);

    try (DataFlowKernel second = kernel(checkpoint)) {
      List<AppFuture<Long>> futures = program(second, squareV2, key);
      assertResults(futures);
      assertThat(futures.subList(0, SQUARES)).noneMatch(AppFuture::reused);
      assertThat(futures.get(SQUARES).reused()).as("the sum's inputs are equal, so its result stands").isTrue();
      second.waitForCurrentTasks();
      assertThat(second.stats().checkpointHits()).isEqualTo(1);
    }
    assertThat(TestApps.count(key)).isEqualTo(2 * SQUARES + 1);

    try (DataFlowKernel third = kernel(checkpoint)) {
      List<AppFuture<Long>> futures = program(third, squareV2, key);
      assertResults(futures);
      assertThat(futures).allMatch(AppFuture::reused);
      assertThat(third.stats().checkpointLoaded()).isEqualTo(2 * SQUARES + 1);
    }
    assertThat(TestApps.count(key)).isEqualTo(2 * SQUARES + 1);
  }

  @Test
  void aTornCheckpointIsToleratedAndRepaired() throws Exception {
    Path checkpoint = tempDir.resolve("checkpoint.jsonl");
    String key = TestApps.key();
    try (DataFlowKernel first = kernel(checkpoint)) {
      assertResults(program(first, TestApps.COUNTED_SQUARE, key));
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(checkpoint));
    assertThat(lines).hasSize(SQUARES + 1);

    // A garbled line in the middle, and a last line torn by a crash halfway through its write.
    String garbled = "{\"key\": \"" + key + "\", \"result\": garbage";
    lines.set(5, garbled);
    Files.write(checkpoint, lines, StandardCharsets.UTF_8);
    // (Longer than a whole entry, so that appending over it cannot hide it.)
    String tornTail = "{\"key\":\"torn-entry\",\"app\":\"test.counted-square\",\"version\":\"1\",\"result\":\""
        + "x".repeat(1_000) + "torn-end";
    Files.writeString(checkpoint, tornTail, StandardOpenOption.APPEND);

    try (DataFlowKernel second = kernel(checkpoint)) {
      List<AppFuture<Long>> futures = program(second, TestApps.COUNTED_SQUARE, key);
      assertResults(futures);
      second.waitForCurrentTasks();
      assertThat(second.stats().checkpointLoaded()).isEqualTo(SQUARES);
      assertThat(second.stats().checkpointHits()).isEqualTo(SQUARES);
      assertThat(futures).filteredOn(f -> !f.reused()).hasSize(1);
    }
    assertThat(TestApps.count(key)).as("only the garbled entry ran again").isEqualTo(SQUARES + 2);

    String repaired = Files.readString(checkpoint);
    assertThat(repaired).endsWith("\n").doesNotContain("torn-entry").doesNotContain("torn-end");
    JsonCodec codec = JsonCodec.create();
    List<String> after = Files.readAllLines(checkpoint);
    assertThat(after).hasSize(SQUARES + 2).contains(garbled);
    for (String line : after) {
      if (!line.equals(garbled)) {
        JsonNode entry = codec.readTree(line.getBytes(StandardCharsets.UTF_8));
        assertThat(entry.path("key").isTextual()).as(line).isTrue();
        assertThat(entry.has("result")).as(line).isTrue();
      }
    }

    // The re-computed entry went onto a line of its own, so a third run finds every result.
    try (DataFlowKernel third = kernel(checkpoint)) {
      List<AppFuture<Long>> futures = program(third, TestApps.COUNTED_SQUARE, key);
      assertResults(futures);
      assertThat(futures).allMatch(AppFuture::reused);
      assertThat(third.stats().checkpointLoaded()).isEqualTo(SQUARES + 1);
    }
    assertThat(TestApps.count(key)).isEqualTo(SQUARES + 2);
  }

  @Test
  void appsThatDoNotMemoizeAreNotCheckpointed() throws Exception {
    Path checkpoint = tempDir.resolve("checkpoint.jsonl");
    try (DataFlowKernel dfk = kernel(checkpoint)) {
      assertThat(dfk.call(TestApps.INC, 1L).get(30, SECONDS)).isEqualTo(2L);
    }
    assertThat(Files.size(checkpoint)).isZero();
  }

  @Test
  void failedTasksAreNotCheckpointed() throws Exception {
    Path checkpoint = tempDir.resolve("checkpoint.jsonl");
    String key = TestApps.key();
    TestApps.gate(key).countDown();
    try (DataFlowKernel dfk = kernel(checkpoint)) {
      AppFuture<Integer> failing = dfk.call(TestApps.FAIL_FIRST_MEMO, key);
      assertThat(failing).failsWithin(30, SECONDS);
    }
    assertThat(Files.size(checkpoint)).isZero();
    try (DataFlowKernel dfk = kernel(checkpoint)) {
      AppFuture<Integer> again = dfk.call(TestApps.FAIL_FIRST_MEMO, key);
      assertThat(again.get(30, SECONDS)).isEqualTo(2);
      assertThat(again.reused()).isFalse();
    }
  }

  record Stats(long count, double mean, List<String> labels) {}

  private static final App1<Long, List<Long>> RANGE = Apps.define("test.checkpoint.range").memoize()
      .java(TypeRef.of(Long.class), TypeRef.listOf(Long.class), n -> {
        List<Long> values = new ArrayList<>();
        for (long i = 0; i < n; i++) {
          values.add(i * 10_000_000_000L / (i + 1)); // some of them beyond int
        }
        return values;
      });

  private static final App1<List<Long>, Stats> STATS = Apps.define("test.checkpoint.stats").memoize()
      .java(TypeRef.listOf(Long.class), TypeRef.of(Stats.class),
          values -> new Stats(values.size(), values.stream().mapToLong(Long::longValue).average().orElse(0),
              List.of("n=" + values.size())));

  @Test
  void checkpointedResultsComeBackAsTheDeclaredResultTypes() throws Exception {
    Path checkpoint = tempDir.resolve("checkpoint.jsonl");
    List<Long> range;
    Stats stats;
    try (DataFlowKernel first = kernel(checkpoint)) {
      AppFuture<List<Long>> values = first.call(RANGE, 5L);
      range = values.get(30, SECONDS);
      stats = first.call(STATS, values).get(30, SECONDS);
    }
    try (DataFlowKernel second = kernel(checkpoint)) {
      AppFuture<List<Long>> values = second.call(RANGE, 5L);
      AppFuture<Stats> summary = second.call(STATS, values);
      assertThat(values.get(30, SECONDS)).isEqualTo(range).hasOnlyElementsOfType(Long.class);
      assertThat(summary.get(30, SECONDS)).isEqualTo(stats);
      assertThat(values.reused()).isTrue();
      assertThat(summary.reused()).isTrue();
    }
  }

  @Test
  void aCheckpointedResultThatNoLongerDecodesIsComputedAgain() throws Exception {
    Path checkpoint = tempDir.resolve("checkpoint.jsonl");
    // The result type changed without a version bump.
    App1<Long, String> before = Apps.define("test.checkpoint.changed").memoize()
        .java(Long.class, String.class, x -> "was text " + x);
    App1<Long, Long> after = Apps.define("test.checkpoint.changed").memoize()
        .java(Long.class, Long.class, x -> x + 1);
    try (DataFlowKernel first = kernel(checkpoint)) {
      assertThat(first.call(before, 1L).get(30, SECONDS)).isEqualTo("was text 1");
    }
    try (DataFlowKernel second = kernel(checkpoint)) {
      AppFuture<Long> call = second.call(after, 1L);
      assertThat(call.get(30, SECONDS)).isEqualTo(2L);
      assertThat(call.reused()).isFalse();
      assertThat(second.stats().checkpointHits()).isZero();
    }
    try (DataFlowKernel third = kernel(checkpoint)) {
      AppFuture<Long> call = third.call(after, 1L);
      assertThat(call.get(30, SECONDS)).isEqualTo(2L);
      assertThat(call.reused()).as("the newer line wins").isTrue();
    }
  }

  private static final App1<Long, Long> MEMO_INC = Apps.define("test.checkpoint.inc").memoize()
      .java(Long.class, Long.class, x -> x + 1);

  @Test
  void aLongChainOfCheckpointHitsBehindASlowTaskCompletes() throws Exception {
    Path checkpoint = tempDir.resolve("checkpoint.jsonl");
    String firstKey = TestApps.key();
    String secondKey = TestApps.key();
    TestApps.gate(firstKey).countDown();
    try (DataFlowKernel first = kernel(checkpoint)) {
      AppFuture<Long> last = first.call(TestApps.GATED, firstKey, 0L);
      for (int i = 0; i < 3_000; i++) {
        last = first.call(MEMO_INC, last);
      }
      assertThat(last.get(30, SECONDS)).isEqualTo(3_000L);
    }
    // The root does not memoize and waits, so the whole chain is wired before it finishes; then
    // every task is a checkpoint hit that finishes as soon as its input does.
    try (DataFlowKernel second = kernel(checkpoint)) {
      AppFuture<Long> root = second.call(TestApps.GATED, secondKey, 0L);
      AppFuture<Long> last = root;
      for (int i = 0; i < 3_000; i++) {
        last = second.call(MEMO_INC, last);
      }
      TestApps.gate(secondKey).countDown();
      assertThat(last.get(30, SECONDS)).isEqualTo(3_000L);
      assertThat(last.reused()).isTrue();
      second.waitForCurrentTasks();
      assertThat(second.stats().checkpointHits()).isEqualTo(3_000);
    }
  }

  @Test
  void checkpointFileRoundTripsEntries() throws Exception {
    Path file = tempDir.resolve("nested").resolve("dir").resolve("cp.jsonl");
    JsonCodec codec = JsonCodec.create();
    try (Checkpoint checkpoint = Checkpoint.open(file, codec)) {
      assertThat(checkpoint.loaded()).isEmpty();
      checkpoint.append("k1", "app", "1", List.of(1L, 2L));
      checkpoint.append("k2", "app", "1", "text");
    }
    try (Checkpoint checkpoint = Checkpoint.open(file, codec)) {
      assertThat(checkpoint.loaded()).containsOnlyKeys("k1", "k2");
      assertThat(checkpoint.loaded().get("k1").toString()).isEqualTo("[1,2]");
      assertThat(checkpoint.loaded().get("k2").asText()).isEqualTo("text");
    }
  }
}
