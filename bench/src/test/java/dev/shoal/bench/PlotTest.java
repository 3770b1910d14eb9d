package dev.shoal.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotTest {
  @TempDir
  Path dir;

  @Test
  void linesWriteAPngOfTheFixedSize() throws Exception {
    double[] x = {1, 10, 100};
    Path file = Plot.lines(dir.resolve("sub/lines.png"), "title", "x", Plot.Scale.LOG_XY, "y",
        List.of(Plot.Series.of("spread", x, List.of(new Spread(2, 1, 3), new Spread(4, 3, 5), new Spread(6, 6, 6))),
            Plot.Series.of("flat", x, new double[] {1, 1, 1})),
        "right", List.of(Plot.Series.of("share", x, new double[] {50, 10, 1})));

    assertPng(file);
    assertPng(Plot.lines(dir.resolve("linear.png"), "title", "x", Plot.Scale.LINEAR, "count",
        List.of(Plot.Series.of("workers", new double[] {0, 10, 20}, new double[] {0, 1, 2}))));
  }

  @Test
  void barsWriteAPngOfTheFixedSize() throws Exception {
    Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
    bars.put("speed-up", Map.of("1 worker", 1.0, "2 workers", 1.8));
    bars.put("efficiency", Map.of("1 worker", 1.0, "2 workers", 0.9));

    assertPng(Plot.bars(dir.resolve("bars.png"), "title", "workers", "value", bars));
  }

  @Test
  void aSecondPlotGoesBesideTheFirst() {
    assertThat(Plot.beside(Path.of("a/sustained.png"), "heap")).isEqualTo(Path.of("a/sustained-heap.png"));
    assertThat(Plot.path(null, "scale")).isEqualTo(Path.of("bench/results/plots/scale.png"));
    assertThat(Plot.path("x.png", "scale")).isEqualTo(Path.of("x.png"));
  }

  private static void assertPng(Path file) throws Exception {
    assertThat(Files.size(file)).isPositive();
    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image.getWidth()).isEqualTo(Plot.WIDTH);
    assertThat(image.getHeight()).isEqualTo(Plot.HEIGHT);
  }
}
