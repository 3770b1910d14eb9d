package dev.shoal;

import java.util.concurrent.Executor;

/**
 * How deeply task callbacks nest on each thread. Finishing a task completes its dependents' inputs
 * inline, so a failure (or a run of memo hits) travelling down a long chain would recurse once per
 * task and overflow the stack, leaving the rest of the chain pending forever. Past a depth, the
 * next step continues on a fresh stack. One per kernel: its thread-local lives and dies with it.
 */
final class CallbackDepth {
  static final int MAX = 64;

  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
  private final Executor freshStacks;

  /** @param freshStacks where a step too deep for its thread continues */
  CallbackDepth(Executor freshStacks) {
    this.freshStacks = freshStacks;
  }

  /** Runs the step on this thread, or on a fresh stack when this thread is already {@link #MAX} steps deep. */
  void run(Runnable step) {
    int[] nesting = depth.get();
    if (nesting[0] >= MAX) {
      freshStacks.execute(() -> run(step));
      return;
    }
    nesting[0]++;
    try {
      step.run();
    } finally {
      nesting[0]--;
    }
  }
}
