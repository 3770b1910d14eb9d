package dev.shoal.monitor;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A run as it starts.
 *
 * @param runId the run's id, unique across runs
 * @param started when the kernel started
 * @param runDir where the run keeps its files
 * @param executors the labels of its executors, the default first
 * @param program what started it (a main class or a command line), for whoever reads the run
 *     later; empty when unknown
 */
public record RunInfo(String runId, Instant started, Path runDir, List<String> executors, String program) {
  public RunInfo {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(runDir, "runDir");
    executors = List.copyOf(executors);
    program = program == null ? "" : program;
  }
}
