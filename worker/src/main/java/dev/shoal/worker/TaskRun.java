package dev.shoal.worker;

import dev.shoal.internal.wire.TaskEnvelope;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A task waiting for a slot. Claimed exactly once: by the slot that runs it or by a shutdown that cancels it. */
final class TaskRun implements Runnable {
  final HeldMessage message;
  final TaskEnvelope envelope;
  /** Its position in the message's bundle. */
  final int index;
  private final Consumer<TaskRun> body;
  private final AtomicBoolean claimed = new AtomicBoolean();

  TaskRun(HeldMessage message, TaskEnvelope envelope, int index, Consumer<TaskRun> body) {
    this.message = message;
    this.envelope = envelope;
    this.index = index;
    this.body = body;
  }

  @Override
  public void run() {
    if (claimed.compareAndSet(false, true)) {
      body.accept(this);
    }
  }

  /** True when the task had not started and now never will. */
  boolean cancel() {
    return claimed.compareAndSet(false, true);
  }
}
