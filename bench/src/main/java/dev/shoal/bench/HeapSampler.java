package dev.shoal.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;

/**
 * This JVM's used heap ({@link MemoryMXBean}), sampled on a daemon thread at a fixed period from
 * creation until {@link #close()}: what a run's memory does over time, garbage included (the
 * sawtooth of the collector shows), and beside it what the heap's pools held after their last
 * collection ({@link MemoryPoolMXBean#getCollectionUsage()}), the live data, whose trend is what
 * tells a leak.
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
    List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null).toList();
    thread = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          double used = memory.getHeapMemoryUsage().getUsed() / MIB;
          double afterGc = pools.stream().mapToLong(pool -> pool.getCollectionUsage().getUsed()).sum() / MIB;
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
