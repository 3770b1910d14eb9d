package dev.shoal;

import dev.shoal.monitor.RunEnd;
import dev.shoal.monitor.RunInfo;
import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.TaskEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Keeps everything a run tells it. */
final class RecordingListener implements RunListener {
  final List<RunInfo> started = new CopyOnWriteArrayList<>();
  final List<TaskEvent> tasks = new CopyOnWriteArrayList<>();
  final List<RunEnd> ended = new CopyOnWriteArrayList<>();
  final boolean digests;
  volatile int closed;
  volatile boolean endedBeforeClose;

  RecordingListener() {
    this(true);
  }

  RecordingListener(boolean digests) {
    this.digests = digests;
  }

  @Override
  public boolean wantsArgumentDigests() {
    return digests;
  }

  @Override
  public void runStarted(RunInfo run) {
    started.add(run);
  }

  @Override
  public void task(TaskEvent event) {
    tasks.add(event);
  }

  @Override
  public void runEnded(RunEnd end) {
    ended.add(end);
  }

  @Override
  public void close() {
    endedBeforeClose = !ended.isEmpty();
    closed++;
  }

  List<TaskEvent> of(long taskId) {
    return tasks.stream().filter(event -> event.taskId() == taskId).collect(Collectors.toList());
  }

  List<TaskEvent.Transition> transitions(long taskId) {
    return of(taskId).stream().map(TaskEvent::transition).collect(Collectors.toList());
  }
}
