package dev.shoal.monitor;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One transition of one task attempt.
 *
 * @param runId the run
 * @param taskId the task, unique within its run
 * @param app the app's name
 * @param executor the label of the executor that runs it
 * @param attempt the attempt, from 1; 0 before the first launch ({@code SUBMITTED}, and a
 *     {@code DEP_FAILED} task that never launched)
 * @param transition what happened
 * @param at when: the client's clock, except for {@code RECEIVED}, {@code STARTED} and
 *     {@code ENDED} on a remote worker, which carry the worker's own clock (from its result)
 * @param worker where the attempt ran ({@code RECEIVED}, {@code STARTED}, {@code ENDED}; also on the
 *     terminal transition of an attempt that ran), else null
 * @param error for {@code ATTEMPT_FAILED}, {@code FAILED} and {@code DEP_FAILED}: the error's type
 *     and message as one line; else null
 * @param dependsOn for {@code SUBMITTED}: the ids of the tasks whose futures it was given, in
 *     argument order, without repeats; else empty
 * @param detail a word more: on {@code LAUNCHED}, the SHA-256 digest of the app, its version and its
 *     resolved arguments (the memo key, for an app that memoizes); {@code memo} on a {@code DONE}
 *     whose result was reused (from this run or a checkpoint); the queue's address on
 *     {@code QUEUED}; else null
 */
public record TaskEvent(String runId, long taskId, String app, String executor, int attempt, Transition transition,
    Instant at, String worker, String error, List<Long> dependsOn, String detail) {

  public TaskEvent {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(transition, "transition");
    Objects.requireNonNull(at, "at");
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }

  /** The transitions of a task, in the order they happen to one attempt. */
  public enum Transition {
    /** Called; waits for its inputs. */
    SUBMITTED,
    /** Its inputs are ready and it was handed to its executor (once per attempt). */
    LAUNCHED,
    /** Its executor put it on a queue. */
    QUEUED,
    /** A worker took it off the queue. */
    RECEIVED,
    /** The app started running. */
    STARTED,
    /** The app returned or threw. */
    ENDED,
    /** The attempt failed and the task will be tried again. */
    ATTEMPT_FAILED,
    /** Finished with a result. */
    DONE,
    /** Failed for good, or was cancelled. */
    FAILED,
    /** Not run because an input failed. */
    DEP_FAILED;

    public boolean isTerminal() {
      return this == DONE || this == FAILED || this == DEP_FAILED;
    }
  }
}
