package dev.shoal.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool settings every cloud host reads, and the reader that collects every problem. */
class PoolSettingsTest {

  @Test
  void unsetAndBlankVariablesTakeTheirDefaults() {
    SettingsReader read = new SettingsReader(Map.of(PoolSettings.MAX_WORKERS, "  ", PoolSettings.SLOTS_PER_WORKER, " 4 "));
    PoolSettings pool = PoolSettings.read(read);
    read.check("pool");

    assertThat(pool).isEqualTo(new PoolSettings(0, 10, 4, 1.0, 1.0, Duration.ofMinutes(5), Duration.ofMinutes(10),
        Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofSeconds(30), 3));
    assertThat(pool.scalingConfig()).isEqualTo(new ScalingConfig(0, 10, 4, 1.0, Duration.ofMinutes(5),
        Duration.ofMinutes(10), Duration.ofMinutes(5)));
    assertThat(pool.workerPayloadStore()).isNull();
  }

  @Test
  void theWorkersPayloadStoreIsAUriWithAScheme() {
    SettingsReader read = new SettingsReader(Map.of(PoolSettings.WORKER_PAYLOAD_STORE, " s3://artifacts/payloads "));
    PoolSettings pool = PoolSettings.read(read);
    read.check("pool");

    assertThat(pool.workerPayloadStore()).isEqualTo(URI.create("s3://artifacts/payloads"));
  }

  @Test
  void aPayloadStoreWithoutASchemeIsAProblem() {
    SettingsReader read = new SettingsReader(Map.of(PoolSettings.WORKER_PAYLOAD_STORE, "artifacts/payloads"));
    PoolSettings pool = PoolSettings.read(read);

    assertThat(pool.workerPayloadStore()).isNull();
    assertThatThrownBy(() -> read.check("pool"))
        .hasMessageContaining(PoolSettings.WORKER_PAYLOAD_STORE + " is not a URI with a scheme")
        .hasMessageContaining("artifacts/payloads");
  }

  @Test
  void everyProblemIsNamedAtOnce() {
    SettingsReader read = new SettingsReader(Map.of(PoolSettings.MAX_WORKERS, "many",
        PoolSettings.TARGET_BACKLOG_PER_SLOT, "lots", PoolSettings.IDLE_COOLDOWN, "5 minutes"));
    PoolSettings.read(read);
    read.required("SHOAL_SOMETHING");
    read.problem("SHOAL_OTHER is not allowed");

    assertThatThrownBy(() -> read.check("dispatcher configuration"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("dispatcher configuration: ")
        .hasMessageContaining(PoolSettings.MAX_WORKERS + " is not an integer: many")
        .hasMessageContaining(PoolSettings.TARGET_BACKLOG_PER_SLOT + " is not a number: lots")
        .hasMessageContaining(PoolSettings.IDLE_COOLDOWN + " is not an ISO-8601 duration such as PT5M: 5 minutes")
        .hasMessageContaining("SHOAL_SOMETHING is not set")
        .hasMessageContaining("SHOAL_OTHER is not allowed");
  }

  @Test
  void aReaderWithoutProblemsPassesItsCheck() {
    SettingsReader read = new SettingsReader(Map.of("A", "x"));
    assertThat(read.required("A")).isEqualTo("x");
    assertThat(read.optional("B")).isNull();
    read.check("fine");
  }

  @Test
  void workersBeatAFifthOfTheSilenceLimitWithinFiveSecondsAndAMinute() {
    assertThat(PoolSettings.heartbeatPeriod(Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(1));
    assertThat(PoolSettings.heartbeatPeriod(Duration.ofMinutes(2))).isEqualTo(Duration.ofSeconds(24));
    assertThat(PoolSettings.heartbeatPeriod(Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(1));
    assertThat(PoolSettings.heartbeatPeriod(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theListNamesEveryVariable() {
    assertThat(PoolSettings.VARIABLES).doesNotHaveDuplicates().hasSize(12).allMatch(name -> name.startsWith("SHOAL_"));
  }
}
