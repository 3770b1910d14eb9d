package dev.shoal.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class UtilizationTest {
  private static UtilizationBench.Span span(long startMillis, long endMillis) {
    return new UtilizationBench.Span("w", Instant.ofEpochMilli(startMillis), Instant.ofEpochMilli(endMillis));
  }

  @Test
  void busyTimeOverSlotsTimesTheSpanFromFirstStartToLastEnd() {
    // Slot 1: 0-100, 110-210; slot 2: 5-105, 120-220. Busy 400 ms over 2 x 220 ms.
    List<UtilizationBench.Span> spans = List.of(span(0, 100), span(110, 210), span(5, 105), span(120, 220));

    UtilizationBench.Utilization measured = UtilizationBench.Utilization.of(spans, 2);

    assertThat(measured.busySeconds()).isCloseTo(0.4, within(1e-9));
    assertThat(measured.wallSeconds()).isCloseTo(0.22, within(1e-9));
    assertThat(measured.percent()).isCloseTo(100 * 0.4 / 0.44, within(1e-9));
    assertThat(measured.share(0.22)).isCloseTo(50, within(1e-9));
  }

  @Test
  void slotsBackToBackAreFullyBusy() {
    assertThat(UtilizationBench.Utilization.of(List.of(span(0, 50), span(50, 100)), 1).percent())
        .isCloseTo(100, within(1e-9));
  }

  @Test
  void noTasksIsAnError() {
    assertThatThrownBy(() -> UtilizationBench.Utilization.of(List.of(), 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void labels() {
    assertThat(UtilizationBench.label(10)).isEqualTo("10ms");
    assertThat(UtilizationBench.label(1_000)).isEqualTo("1s");
    assertThat(PayloadBench.label(1)).isEqualTo("1kb");
    assertThat(PayloadBench.label(100)).isEqualTo("100kb");
    assertThat(PayloadBench.label(10 * 1024)).isEqualTo("10mb");
  }
}
