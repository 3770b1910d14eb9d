package dev.shoal.dashboard;

import dev.shoal.taskdb.TaskRecord;
import dev.shoal.taskdb.ThroughputPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the run did over time, interval by interval from its start: how many tasks started and
 * finished in each (the reader's throughput), and how many waited and ran on average through it.
 * Averages rather than a count at one instant, so that tasks shorter than an interval still show.
 *
 * @param bucket the width of each interval
 * @param points every interval from the run's start to its end (or now), empty ones included
 */
record Activity(Instant origin, Duration bucket, List<Point> points) {
  /** More points than this is a bucket too small to draw, and a large answer to send every second. */
  static final int MAX_POINTS = 10_000;
  /** The default bucket is the smallest of these that cuts the run into at most this many. */
  static final int DEFAULT_POINTS = 120;
  private static final List<Duration> NICE_BUCKETS = List.of(Duration.ofMillis(100), Duration.ofMillis(200),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1),
      Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(15),
      Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(6), Duration.ofHours(12),
      Duration.ofDays(1));

  /**
   * @param started, finished, failed as {@link ThroughputPoint} counts them
   * @param waiting tasks handed to their executor and not started yet, on average over the interval
   * @param running tasks started and not ended, on average over the interval
   */
  record Point(Instant from, long started, long finished, long failed, double waiting, double running) {}

  /** A bucket that cuts the time from {@code origin} to {@code end} into at most {@value #DEFAULT_POINTS}. */
  static Duration defaultBucket(Instant origin, Instant end) {
    Duration span = Duration.between(origin, end);
    for (Duration bucket : NICE_BUCKETS) {
      if (span.toNanos() / bucket.toNanos() < DEFAULT_POINTS) {
        return bucket;
      }
    }
    return NICE_BUCKETS.get(NICE_BUCKETS.size() - 1);
  }

  /** How many points {@code bucket} would make from {@code origin} to {@code end}. */
  static long points(Instant origin, Instant end, Duration bucket) {
    long width = Math.max(1, bucket.toNanos() / 1_000);
    long span = Math.max(0, JsonMapping.micros(end) - JsonMapping.micros(origin));
    return Math.max(1, (span + width - 1) / width);
  }

  /**
   * @param throughput the reader's throughput of the run for the same origin and bucket
   * @param end the right edge: the run's end, or now; tasks still waiting or running count up to it
   */
  static Activity of(List<TaskRecord> tasks, List<ThroughputPoint> throughput, Instant origin, Instant end,
      Duration bucket) {
    long width = Math.max(1, bucket.toNanos() / 1_000);
    long originMicros = JsonMapping.micros(origin);
    int n = (int) Math.min(MAX_POINTS, points(origin, end, bucket));
    for (ThroughputPoint point : throughput) {
      n = (int) Math.max(n, Math.min(MAX_POINTS, index(point.from(), originMicros, width) + 1));
    }
    long[] started = new long[n];
    long[] finished = new long[n];
    long[] failed = new long[n];
    for (ThroughputPoint point : throughput) {
      long index = index(point.from(), originMicros, width);
      if (index >= 0 && index < n) {
        started[(int) index] = point.started();
        finished[(int) index] = point.finished();
        failed[(int) index] = point.failed();
      }
    }
    Occupancy waiting = new Occupancy(n, width);
    Occupancy running = new Occupancy(n, width);
    for (TaskRecord task : tasks) {
      Instant stop = task.finished() != null ? task.finished() : (task.state().isTerminal() ? null : end);
      if (task.launched() != null) {
        Instant waitEnd = task.started() != null ? task.started() : stop;
        if (waitEnd != null) {
          waiting.add(JsonMapping.micros(task.launched()) - originMicros, JsonMapping.micros(waitEnd) - originMicros);
        }
      }
      if (task.started() != null) {
        Instant runEnd = task.ended() != null ? task.ended() : stop;
        if (runEnd != null) {
          running.add(JsonMapping.micros(task.started()) - originMicros, JsonMapping.micros(runEnd) - originMicros);
        }
      }
    }
    double[] waitingMeans = waiting.means();
    double[] runningMeans = running.means();
    List<Point> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Instant from = origin.plusNanos(i * width * 1_000);
      points.add(new Point(from, started[i], finished[i], failed[i], round(waitingMeans[i]), round(runningMeans[i])));
    }
    return new Activity(origin, Duration.ofNanos(width * 1_000), points);
  }

  private static long index(Instant at, long originMicros, long width) {
    return Math.floorDiv(JsonMapping.micros(at) - originMicros, width);
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  /** Time-weighted counts of intervals per bucket, in time linear in intervals plus buckets. */
  private static final class Occupancy {
    private final long width;
    private final long[] partial;
    private final long[] fullDiff;

    Occupancy(int buckets, long width) {
      this.width = width;
      this.partial = new long[buckets];
      this.fullDiff = new long[buckets + 1];
    }

    void add(long from, long to) {
      long limit = partial.length * width;
      long a = Math.max(0, from);
      long b = Math.min(limit, to);
      if (b <= a) {
        return;
      }
      int first = (int) (a / width);
      int last = (int) ((b - 1) / width);
      if (first == last) {
        partial[first] += b - a;
        return;
      }
      partial[first] += (first + 1) * width - a;
      partial[last] += b - last * width;
      if (last > first + 1) {
        fullDiff[first + 1] += width;
        fullDiff[last] -= width;
      }
    }

    double[] means() {
      double[] means = new double[partial.length];
      long full = 0;
      for (int i = 0; i < partial.length; i++) {
        full += fullDiff[i];
        means[i] = (double) (partial[i] + full) / width;
      }
      return means;
    }
  }
}
