package dev.shoal.dashboard;

import dev.shoal.taskdb.TaskRecord;
import java.util.List;

/**
 * One page of a run's tasks that match a filter.
 *
 * @param total how many match, over every page
 */
record TaskPage(long total, int offset, int limit, List<TaskRecord> tasks) {}
