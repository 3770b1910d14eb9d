package dev.shoal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Resident memory of this JVM and every process it started (the worker JVMs of a local cluster),
 * read from Linux's {@code /proc/PID/status}: what the machine gives the whole local setup, which
 * is what a user sizing a laptop or a VM sees, not the JVMs' heap figures.
 *
 * @param residentKib the sum of the processes' current resident sets ({@code VmRSS})
 * @param peakKib the sum of their high-water marks ({@code VmHWM})
 * @param processes how many processes were summed
 */
record ProcessMemory(long residentKib, long peakKib, int processes) {

  /** This process and its descendants, now; zero figures where {@code /proc} is not readable. */
  static ProcessMemory ofThisTree() {
    List<ProcessHandle> tree = Stream.concat(Stream.of(ProcessHandle.current()),
        ProcessHandle.current().descendants()).toList();
    long resident = 0;
    long peak = 0;
    int counted = 0;
    for (ProcessHandle process : tree) {
      try {
        List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"));
        resident += field(status, "VmRSS:");
        peak += field(status, "VmHWM:");
        counted++;
      } catch (IOException | RuntimeException e) {
        // A process that ended between the listing and the read no longer holds memory.
      }
    }
    return new ProcessMemory(resident, peak, counted);
  }

  double residentMib() {
    return residentKib / 1024.0;
  }

  double peakMib() {
    return peakKib / 1024.0;
  }

  /** The kibibytes of a {@code Name:   1234 kB} line; 0 when the line is absent (a kernel thread). */
  static long field(List<String> status, String name) {
    for (String line : status) {
      if (line.startsWith(name)) {
        String[] parts = line.substring(name.length()).trim().split("\\s+");
        return Long.parseLong(parts[0]);
      }
    }
    return 0;
  }
}
