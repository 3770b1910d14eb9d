package dev.shoal.bench;

import java.util.Arrays;

/**
 * A figure measured over several rounds: reported as the median, with the lowest and highest
 * round beside it, because on a shared 2-core machine one round can be far off either way.
 */
record Spread(double median, double min, double max) {

  static Spread of(double[] rounds) {
    if (rounds.length == 0) {
      throw new IllegalArgumentException("no rounds");
    }
    double[] sorted = rounds.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    double median = sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    return new Spread(median, sorted[0], sorted[sorted.length - 1]);
  }

  /** Prints {@code name: median}, then {@code name_min} and {@code name_max}, in this format ("%.0f"). */
  void print(String name, String format) {
    System.out.printf("%s: " + format + "%n", name, median);
    System.out.printf("%s_min: " + format + "%n", name, min);
    System.out.printf("%s_max: " + format + "%n", name, max);
  }

  /** The value at this percentile (nearest rank) of a sample. */
  static double percentile(double[] values, int percentile) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
