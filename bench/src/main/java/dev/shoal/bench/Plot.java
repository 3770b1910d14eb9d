package dev.shoal.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The modes' charts, all one size (900 x 500 PNG) and one look: lines with points and min-max
 * error bars, optionally a second y axis, or grouped bars. Rendered headless, since the benchmark
 * machine has no display.
 */
final class Plot {
  static final int WIDTH = 900;
  static final int HEIGHT = 500;

  static {
    // Before any AWT class loads: without it, rendering looks for a display.
    System.setProperty("java.awt.headless", "true");
  }

  private Plot() {}

  /**
   * One line: points at {@code x}, each with its median {@code y} and its lowest and highest round
   * ({@code low}, {@code high}; the same as {@code y} for a single measurement).
   */
  record Series(String name, double[] x, double[] y, double[] low, double[] high) {
    Series {
      if (x.length != y.length || y.length != low.length || low.length != high.length) {
        throw new IllegalArgumentException("series " + name + ": arrays of different lengths");
      }
    }

    /** A line without error bars. */
    static Series of(String name, double[] x, double[] y) {
      return new Series(name, x, y, y, y);
    }

    /** A line of spreads, one per point. */
    static Series of(String name, double[] x, List<Spread> spreads) {
      double[] median = spreads.stream().mapToDouble(Spread::median).toArray();
      double[] min = spreads.stream().mapToDouble(Spread::min).toArray();
      double[] max = spreads.stream().mapToDouble(Spread::max).toArray();
      return new Series(name, x, median, min, max);
    }
  }

  /** Which axes are logarithmic (the right-hand one, if any, never is). */
  enum Scale {
    LINEAR, LOG_X, LOG_XY;

    boolean logX() {
      return this != LINEAR;
    }
  }

  /** A line chart of {@code series}. */
  static Path lines(Path file, String title, String xLabel, Scale scale, String yLabel, List<Series> series) {
    return lines(file, title, xLabel, scale, yLabel, series, null, List.of());
  }

  /**
   * A line chart with a second y axis on the right for {@code right} (for two figures of different
   * units over the same x).
   */
  static Path lines(Path file, String title, String xLabel, Scale scale, String yLabel, List<Series> left,
      String rightLabel, List<Series> right) {
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, collection(left),
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    if (scale.logX()) {
      plot.setDomainAxis(logAxis(xLabel));
    } else {
      NumberAxis axis = (NumberAxis) plot.getDomainAxis();
      axis.setAutoRangeIncludesZero(false);
      // Worker counts, task counts, milliseconds: no fractional ticks.
      axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    }
    plot.setRenderer(0, renderer(0, left));
    if (scale == Scale.LOG_XY) {
      plot.setRangeAxis(logAxis(yLabel));
    } else if (left.stream().allMatch(line -> Arrays.stream(line.y()).allMatch(y -> y == Math.rint(y)))) {
      // Counts (workers): no fractional ticks.
      plot.getRangeAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    }
    if (!right.isEmpty()) {
      ValueAxis axis = new NumberAxis(rightLabel);
      plot.setRangeAxis(1, axis);
      plot.setDataset(1, collection(right));
      plot.mapDatasetToRangeAxis(1, 1);
      plot.setRenderer(1, renderer(left.size(), right));
    }
    return save(chart, file);
  }

  /** Grouped bars: for each series (legend entry), one bar per category (x-axis group), in map order. */
  static Path bars(Path file, String title, String categoryLabel, String valueLabel,
      Map<String, Map<String, Double>> series) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    series.forEach((name, values) -> values.forEach((category, value) -> data.addValue(value, name, category)));
    JFreeChart chart = ChartFactory.createBarChart(title, categoryLabel, valueLabel, data,
        PlotOrientation.VERTICAL, true, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    renderer.setBarPainter(new StandardBarPainter());
    for (int i = 0; i < COLORS.length; i++) {
      renderer.setSeriesPaint(i, COLORS[i]);
    }
    return save(chart, file);
  }

  private static LogAxis logAxis(String label) {
    LogAxis axis = new LogAxis(label);
    axis.setBase(10);
    axis.setSmallestValue(1e-9);
    // One tick a decade, written as plain numbers (0.1, 10, 1,000), not powers of ten.
    axis.setTickUnit(new NumberTickUnit(1));
    axis.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
    return axis;
  }

  private static YIntervalSeriesCollection collection(List<Series> series) {
    YIntervalSeriesCollection collection = new YIntervalSeriesCollection();
    for (Series line : series) {
      YIntervalSeries points = new YIntervalSeries(line.name());
      for (int i = 0; i < line.x().length; i++) {
        points.add(line.x()[i], line.y()[i], line.low()[i], line.high()[i]);
      }
      collection.addSeries(points);
    }
    return collection;
  }

  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);

  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd)};

  /**
   * Lines, points and error bars; colours continue from {@code firstColor} so two axes' series
   * differ. A dense series (a trace over time) is drawn as a line alone, its points would blot it.
   */
  private static XYErrorRenderer renderer(int firstColor, List<Series> series) {
    XYErrorRenderer renderer = new XYErrorRenderer();
    renderer.setDefaultLinesVisible(true);
    renderer.setDefaultShapesVisible(true);
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesShapesVisible(i, series.get(i).x().length <= 60);
    }
    renderer.setDrawXError(false);
    // Flat series (one measurement a point) would get a cap mark at every point.
    renderer.setDrawYError(series.stream().anyMatch(line -> !Arrays.equals(line.low(), line.high())));
    renderer.setErrorStroke(new BasicStroke(1.5f));
    for (int i = 0; i < COLORS.length; i++) {
      renderer.setSeriesPaint(i, COLORS[(firstColor + i) % COLORS.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    return renderer;
  }

  private static Path save(JFreeChart chart, Path file) {
    chart.getTitle().setFont(TITLE_FONT);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the plot " + file, e);
    }
  }

  /**
   * Where a mode's plot goes: {@code --plot PATH} if given, else {@code bench/results/plots/MODE.png}
   * under the repository (run.sh starts the JVM there).
   */
  static Path path(String given, String mode) {
    return given != null ? Path.of(given) : Path.of("bench", "results", "plots", mode + ".png");
  }

  /** A second plot beside {@code first}: {@code x.png} becomes {@code x-SUFFIX.png}. */
  static Path beside(Path first, String suffix) {
    String name = first.getFileName().toString();
    String stem = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    return first.resolveSibling(stem + "-" + suffix + ".png");
  }
}
