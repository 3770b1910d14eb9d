package dev.shoal.dashboard;

import dev.shoal.taskdb.TaskEventRecord;
import dev.shoal.taskdb.TaskRecord;
import java.util.List;

/** A task's row with every transition recorded for it, in order. */
record TaskDetail(TaskRecord task, List<TaskEventRecord> events) {}
