package dev.shoal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The forms a duration may take in a configuration, and the messages for those it may not. */
class DurationsTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      "500ms,   PT0.5S",
      "10s,     PT10S",
      "5m,      PT5M",
      "1h,      PT1H",
      "2d,      PT48H",
      "1m30s,   PT1M30S",
      "1h0m5s,  PT1H5S",
      "1.5s,    PT1.5S",
      "0,       PT0S",
      "0s,      PT0S",
      "PT10S,   PT10S",
      "pt10s,   PT10S",
      "P1D,     PT24H",
      "PT1M30S, PT1M30S",
      "' 10s ', PT10S",
  })
  void accepted(String text, String expected) {
    assertThat(Values.duration(text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "10         | '10' has no unit",
      "10 s       | '10 s' is not a duration",
      "10sec      | '10sec' is not a duration",
      "ten s      | 'ten s' is not a duration",
      "P1Y        | 'P1Y' is not an ISO-8601 duration",
      "PT         | 'PT' is not an ISO-8601 duration",
      "s          | 's' is not a duration",
  })
  void refused(String text, String message) {
    assertThatThrownBy(() -> Values.duration(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message)
        .hasMessageContaining("10s")
        .hasMessageContaining("PT10S");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"-5s", "-PT5S", "PT-5S"})
  void negative(String text) {
    assertThatThrownBy(() -> Values.duration(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + text + "' is negative: a duration here must be 0 or more");
  }

  @ParameterizedTest(name = "{0} is {1} bytes")
  @CsvSource({
      "1048576, 1048576",
      "1_024,   1024",
      "512KiB,  524288",
      "64MiB,   67108864",
      "1GiB,    1073741824",
      "100MB,   100000000",
      "2kb,     2000",
      "10B,     10",
  })
  void sizes(String text, long bytes) {
    assertThat(Values.bytes(text)).isEqualTo(bytes);
  }
}
