package dev.shoal;

import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Path;

/** The kernel most tests run on: four threads, files under the test's own folder. */
final class TestKernels {
  private TestKernels() {}

  static DataFlowKernel onThreads(Path runDir) {
    return DataFlowKernel.builder()
        .runDir(runDir)
        .executor(ThreadPoolTaskExecutor.builder().threads(4).build())
        .build();
  }
}
