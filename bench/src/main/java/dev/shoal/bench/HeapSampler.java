package dev.shoal.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * This JVM's used heap ({@link MemoryMXBean}), sampled on a daemon thread at a fixed period from
 * creation until {@link #close()}: what a run's memory does over time, garbage included (the
 * sawtooth of the collector shows; the trend of its lows is what matters).
 */
final class HeapSampler implements AutoCloseable {
  /** One sample: seconds since the sampler started, and MiB of heap used then. */
  record Sample(double seconds, double usedMib) {}

  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private final long started = System.nanoTime();

  HeapSampler(long periodMillis) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    thread = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          double used = memory.getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
          synchronized (samples) {
            samples.add(new Sample((System.nanoTime() - started) / 1e9, used));
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
