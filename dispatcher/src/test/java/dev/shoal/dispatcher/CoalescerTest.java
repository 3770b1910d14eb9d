package dev.shoal.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoalescerTest {
  /** An executor the test drives by hand: it runs what was submitted only when told to. */
  private final Queue<Runnable> submitted = new ArrayDeque<>();
  private final AtomicInteger runs = new AtomicInteger();

  @Test
  void requestsBeforeARunAreFoldedIntoOne() {
    Coalescer coalescer = new Coalescer(submitted::add, runs::incrementAndGet);

    for (int i = 0; i < 1000; i++) {
      coalescer.request();
    }

    assertThat(submitted).hasSize(1);
    submitted.remove().run();
    assertThat(runs).hasValue(1);
    assertThat(submitted).isEmpty();
  }

  @Test
  void aRequestDuringARunGetsOneMoreRun() {
    Coalescer[] self = new Coalescer[1];
    self[0] = new Coalescer(submitted::add, () -> {
      if (runs.incrementAndGet() == 1) {
        self[0].request();
        self[0].request();
      }
    });

    self[0].request();
    submitted.remove().run();

    assertThat(submitted).hasSize(1);
    submitted.remove().run();
    assertThat(runs).hasValue(2);
    assertThat(submitted).isEmpty();
  }

  @Test
  void aRejectedRequestDoesNotWedgeLaterOnes() {
    AtomicInteger attempts = new AtomicInteger();
    Coalescer coalescer = new Coalescer(task -> {
      if (attempts.incrementAndGet() == 1) {
        throw new RejectedExecutionException("shut down");
      }
      submitted.add(task);
    }, runs::incrementAndGet);

    coalescer.request();
    coalescer.request();

    assertThat(attempts).hasValue(2);
    assertThat(submitted).hasSize(1);
  }
}
