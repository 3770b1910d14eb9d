package dev.shoal.taskdb;

import java.util.Optional;

/**
 * Which tasks of a run to read, and how many.
 *
 * @param state only tasks in this state, if given
 * @param app only tasks of this app, if given
 * @param text only tasks whose error or worker contains this, if given
 * @param offset rows to skip, in task id order
 * @param limit rows at most
 */
public record TaskQuery(Optional<TaskState> state, Optional<String> app, Optional<String> text, int offset,
    int limit) {

  public TaskQuery {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must be >= 0: " + offset + ", " + limit);
    }
  }

  /** The first {@code limit} tasks. */
  public static TaskQuery first(int limit) {
    return new TaskQuery(Optional.empty(), Optional.empty(), Optional.empty(), 0, limit);
  }

  public TaskQuery inState(TaskState wanted) {
    return new TaskQuery(Optional.of(wanted), app, text, offset, limit);
  }

  public TaskQuery ofApp(String wanted) {
    return new TaskQuery(state, Optional.of(wanted), text, offset, limit);
  }

  public TaskQuery containing(String wanted) {
    return new TaskQuery(state, app, Optional.of(wanted), offset, limit);
  }

  public TaskQuery from(int skip) {
    return new TaskQuery(state, app, text, skip, limit);
  }
}
