package dev.shoal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which known key a misspelt one is taken to mean, if any. */
class SuggestionsTest {
  private static final List<String> KEYS = List.of("type", "label", "threads", "threadNamePrefix", "taskQueue",
      "vmQueue", "maxWorkers", "minWorkers", "workerIdleTimeout", "retries");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "thread,            threads",
      "queu,              vmQueue",
      "taskqueue,         taskQueue",
      "maxWorker,         maxWorkers",
      "workerIdleTimout,  workerIdleTimeout",
      "tpye,              type",
      "retires,           retries",
      "lable,             label",
  })
  void aNearMissIsTakenForTheKey(String word, String meant) {
    assertThat(Suggestions.closest(word, KEYS)).contains(meant);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"colour", "x", "endpoint", "slots"})
  void aWordLikeNoKeySuggestsNothing(String word) {
    assertThat(Suggestions.closest(word, KEYS)).isEmpty();
  }
}
