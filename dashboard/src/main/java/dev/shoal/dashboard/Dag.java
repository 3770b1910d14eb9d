package dev.shoal.dashboard;

import dev.shoal.taskdb.TaskRecord;
import dev.shoal.taskdb.TaskState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run's task graph: a node per task, an edge from each input to the task that took it
 * ({@code depends_on}), and each node's layer, its dependency depth (0 for a task with no inputs,
 * else one more than its deepest input), which is its column on the page. Beyond {@code maxNodes}
 * tasks the graph is collapsed by app: a node per app, with its tasks counted by state, at the
 * shallowest layer of its tasks, and an edge between two apps counting the task edges between them.
 *
 * @param collapsed whether the nodes are apps rather than tasks
 * @param tasks how many tasks the run has
 * @param layers how many layers there are
 */
record Dag(boolean collapsed, long tasks, int layers, List<Node> nodes, List<Edge> edges) {

  /**
   * @param id {@code t<task id>} or {@code a<index>}: unique, and free of anything a user named
   * @param taskId the task, for a task node; null for an app node
   * @param state the task's state, for a task node; null for an app node
   * @param tasks 1 for a task node; the app's tasks for an app node
   * @param states the app's tasks by state, for an app node; null for a task node
   */
  record Node(String id, String app, Long taskId, TaskState state, int layer, long tasks, Map<String, Long> states) {}

  /** @param count 1 between tasks; the task edges it stands for between apps */
  record Edge(String from, String to, long count) {}

  static Dag of(List<TaskRecord> tasks, int maxNodes) {
    Map<Long, TaskRecord> byId = new LinkedHashMap<>();
    for (TaskRecord task : tasks) {
      byId.put(task.taskId(), task);
    }
    Map<Long, Integer> layers = layers(byId);
    int depth = layers.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    if (byId.size() <= maxNodes) {
      List<Node> nodes = new ArrayList<>(byId.size());
      List<Edge> edges = new ArrayList<>();
      for (TaskRecord task : byId.values()) {
        nodes.add(new Node("t" + task.taskId(), task.app(), task.taskId(), task.state(), layers.get(task.taskId()), 1,
            null));
        for (long input : task.dependsOn()) {
          if (byId.containsKey(input)) {
            edges.add(new Edge("t" + input, "t" + task.taskId(), 1));
          }
        }
      }
      return new Dag(false, byId.size(), depth, nodes, edges);
    }
    // Collapsed: apps in the order their first task came.
    Map<String, String> appIds = new LinkedHashMap<>();
    Map<String, Integer> appLayers = new HashMap<>();
    Map<String, long[]> appCounts = new HashMap<>();
    Map<String, Map<String, Long>> appStates = new HashMap<>();
    Map<String, Long> edgeCounts = new LinkedHashMap<>();
    for (TaskRecord task : byId.values()) {
      String id = appIds.computeIfAbsent(task.app(), app -> "a" + appIds.size());
      appLayers.merge(task.app(), layers.get(task.taskId()), Math::min);
      appCounts.computeIfAbsent(task.app(), app -> new long[1])[0]++;
      appStates.computeIfAbsent(task.app(), app -> new TreeMap<>()).merge(task.state().column(), 1L, Long::sum);
      for (long input : task.dependsOn()) {
        TaskRecord from = byId.get(input);
        if (from != null) {
          String fromId = appIds.computeIfAbsent(from.app(), app -> "a" + appIds.size());
          edgeCounts.merge(fromId + ">" + id, 1L, Long::sum);
        }
      }
    }
    List<Node> nodes = new ArrayList<>();
    appIds.forEach((app, id) -> nodes.add(new Node(id, app, null, null, appLayers.get(app), appCounts.get(app)[0],
        orderedStates(appStates.get(app)))));
    List<Edge> edges = new ArrayList<>();
    edgeCounts.forEach((key, count) -> {
      int split = key.indexOf('>');
      edges.add(new Edge(key.substring(0, split), key.substring(split + 1), count));
    });
    int appDepth = appLayers.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    return new Dag(true, byId.size(), appDepth, nodes, edges);
  }

  private static Map<String, Long> orderedStates(Map<String, Long> states) {
    Map<String, Long> ordered = new LinkedHashMap<>();
    for (TaskState state : TaskState.values()) {
      Long count = states.get(state.column());
      if (count != null) {
        ordered.put(state.column(), count);
      }
    }
    return ordered;
  }

  /**
   * Each task's dependency depth, by a topological walk (Kahn's): no recursion, so a chain of a
   * million tasks is fine. Inputs the database does not know (their events were dropped) are
   * ignored; a cycle, which the kernel cannot make, would leave its tasks at layer 0.
   */
  private static Map<Long, Integer> layers(Map<Long, TaskRecord> byId) {
    Map<Long, Integer> missing = new HashMap<>();
    Map<Long, List<Long>> dependents = new HashMap<>();
    for (TaskRecord task : byId.values()) {
      int known = 0;
      for (long input : task.dependsOn()) {
        if (byId.containsKey(input)) {
          known++;
          dependents.computeIfAbsent(input, id -> new ArrayList<>()).add(task.taskId());
        }
      }
      missing.put(task.taskId(), known);
    }
    Map<Long, Integer> layers = new HashMap<>();
    Deque<Long> ready = new ArrayDeque<>();
    for (TaskRecord task : byId.values()) {
      layers.put(task.taskId(), 0);
      if (missing.get(task.taskId()) == 0) {
        ready.add(task.taskId());
      }
    }
    while (!ready.isEmpty()) {
      long id = ready.poll();
      int layer = layers.get(id);
      for (long dependent : dependents.getOrDefault(id, List.of())) {
        layers.merge(dependent, layer + 1, Math::max);
        if (missing.merge(dependent, -1, Integer::sum) == 0) {
          ready.add(dependent);
        }
      }
    }
    return layers;
  }
}
