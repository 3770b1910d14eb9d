package dev.shoal.bench;

import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * This JVM's used heap ({@link MemoryMXBean}), sampled on a daemon thread at a fixed period from
 * creation until {@link #close()}: what a run's memory does over time, garbage included (the
 * sawtooth of the collector shows), and beside it what the heap held just after the latest collection
 * (of any collector: young ones too, so promoted garbage stays in until an old collection), whose
 * lows' trend is what tells a leak.
 */
final class HeapSampler implements AutoCloseable {
  /** One sample: seconds since the sampler started, MiB of heap used then, and MiB after the last GC. */
  record Sample(double seconds, double usedMib, double afterGcMib) {}

  private static final double MIB = 1024.0 * 1024.0;

  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private final long started = System.nanoTime();

  HeapSampler(long periodMillis) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .filter(GarbageCollectorMXBean.class::isInstance).map(GarbageCollectorMXBean.class::cast).toList();
    thread = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          double used = memory.getHeapMemoryUsage().getUsed() / MIB;
          double afterGc = afterLatestCollection(collectors, heapPools) / MIB;
          synchronized (samples) {
            samples.add(new Sample((System.nanoTime() - started) / 1e9, used, afterGc));
          }
          Thread.sleep(periodMillis);
        }
      } catch (InterruptedException e) {
        // closed
      }
    }, "heap-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  /** Heap bytes in use just after the latest collection, or 0 before the first. */
  private static long afterLatestCollection(List<GarbageCollectorMXBean> collectors, Set<String> heapPools) {
    GcInfo latest = null;
    for (GarbageCollectorMXBean collector : collectors) {
      GcInfo info = collector.getLastGcInfo();
      if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
        latest = info;
      }
    }
    if (latest == null) {
      return 0;
    }
    return latest.getMemoryUsageAfterGc().entrySet().stream().filter(pool -> heapPools.contains(pool.getKey()))
        .mapToLong(pool -> pool.getValue().getUsed()).sum();
  }

  List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  @Override
  public void close() throws InterruptedException {
    thread.interrupt();
    thread.join();
  }
}
