package dev.shoal;

/** What {@link DataFlowKernel#close()} does with tasks that have not finished. */
public enum ShutdownMode {
  /** Wait for every submitted task to finish. */
  WAIT,
  /** Fail tasks that have not started with a {@link java.util.concurrent.CancellationException}, interrupt running ones. */
  CANCEL
}
