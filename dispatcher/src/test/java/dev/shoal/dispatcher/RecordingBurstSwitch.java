package dev.shoal.dispatcher;

import dev.shoal.spi.BurstSwitch;
import java.util.ArrayList;
import java.util.List;

/**
 * A test double of a {@link BurstSwitch}: a state the test sets, the turns it was asked for, and
 * failures on demand, as an unreachable or refusing platform would give.
 */
final class RecordingBurstSwitch implements BurstSwitch {
  private State state = State.OFF;
  private final List<Boolean> turns = new ArrayList<>();
  private RuntimeException failReads;
  private RuntimeException failTurns;

  @Override
  public synchronized State state() {
    if (failReads != null) {
      throw failReads;
    }
    return state;
  }

  @Override
  public synchronized void turn(boolean on) {
    if (failTurns != null) {
      throw failTurns;
    }
    turns.add(on);
    // As an event source mapping does: the change takes a while to act.
    state = State.TURNING;
  }

  synchronized void settle() {
    if (!turns.isEmpty()) {
      state = turns.get(turns.size() - 1) ? State.ON : State.OFF;
    }
  }

  synchronized List<Boolean> turns() {
    return List.copyOf(turns);
  }

  synchronized void failReads(RuntimeException error) {
    failReads = error;
  }

  synchronized void failTurns(RuntimeException error) {
    failTurns = error;
  }
}
