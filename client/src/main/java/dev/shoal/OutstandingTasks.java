package dev.shoal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Tasks submitted and not yet settled. Waiters sleep until the count reaches zero and are woken
 * by the task that brings it there, never by a timer.
 */
final class OutstandingTasks {
  private final AtomicLong count = new AtomicLong();
  private final Object zero = new Object();

  void added() {
    count.incrementAndGet();
  }

  /** After a task's future completed. */
  void settled() {
    // The count is read and waited on under the lock, so a waiter that saw it above zero is
    // already waiting when this notification arrives.
    if (count.decrementAndGet() == 0) {
      synchronized (zero) {
        zero.notifyAll();
      }
    }
  }

  /** Blocks until no task is outstanding (tasks added meanwhile included). */
  void awaitNone() throws InterruptedException {
    synchronized (zero) {
      while (count.get() > 0) {
        zero.wait();
      }
    }
  }

  /**
   * Like {@link #awaitNone()}, but goes on waiting through interrupts.
   *
   * @return true if the thread was interrupted meanwhile: the caller restores the flag when done
   */
  boolean awaitNoneUninterruptibly() {
    boolean interrupted = false;
    while (true) {
      try {
        awaitNone();
        return interrupted;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }
}
