package dev.shoal.embedded;

/** Told as the cluster's workers, JVMs or in-process, start and end; on their own threads, so quick. */
interface WorkerLifecycle {
  WorkerLifecycle NONE = new WorkerLifecycle() {
    @Override
    public void started(String workerId, String detail) {}

    @Override
    public void ended(String workerId, String detail) {}
  };

  void started(String workerId, String detail);

  void ended(String workerId, String detail);
}
