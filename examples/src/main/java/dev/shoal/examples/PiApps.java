package dev.shoal.examples;

import dev.shoal.app.App2;
import dev.shoal.app.App;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import dev.shoal.app.TypeRef;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;

/** The Monte Carlo estimate of pi: many independent sample tasks and one reduce. */
public final class PiApps implements AppLibrary {

  /** Counts how many of {@code samples} random points of the unit square fall in the quarter circle. */
  public static final App2<Long, Long, Long> SAMPLE = Apps.define("pi.sample")
      .memoize()
      .java(Long.class, Long.class, Long.class, PiApps::countInside);

  /** Turns the per-task counts into an estimate of pi. */
  public static final App2<List<Long>, Long, Double> ESTIMATE = Apps.define("pi.estimate")
      .java(TypeRef.listOf(Long.class), TypeRef.of(Long.class), TypeRef.of(Double.class), PiApps::estimate);

  static long countInside(long samples, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long inside = 0;
    for (long i = 0; i < samples; i++) {
      double x = random.nextDouble();
      double y = random.nextDouble();
      if (x * x + y * y <= 1.0) {
        inside++;
      }
    }
    return inside;
  }

  static double estimate(List<Long> inside, long samplesPerTask) {
    long hits = 0;
    for (long count : inside) {
      hits += count;
    }
    return 4.0 * hits / ((double) samplesPerTask * inside.size());
  }

  @Override
  public Collection<? extends App<?>> apps() {
    return List.of(SAMPLE, ESTIMATE);
  }
}
