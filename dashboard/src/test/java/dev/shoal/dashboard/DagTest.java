package dev.shoal.dashboard;

import static dev.shoal.dashboard.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.taskdb.TaskRecord;
import dev.shoal.taskdb.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DagTest {
  @Test
  void eachTaskIsOneLayerDeeperThanItsDeepestInput() {
    // 1 -> 2 -> 3, and 4 takes 1 and 3: depth 3, not 1.
    List<TaskRecord> tasks = List.of(task(1, "a", TaskState.DONE, List.of()), task(2, "b", TaskState.DONE, List.of(1L)),
        task(3, "b", TaskState.DONE, List.of(2L)), task(4, "c", TaskState.FAILED, List.of(1L, 3L)),
        task(5, "a", TaskState.PENDING, List.of()));
    Dag dag = Dag.of(tasks, 100);
    assertThat(dag.collapsed()).isFalse();
    assertThat(dag.tasks()).isEqualTo(5);
    assertThat(dag.layers()).isEqualTo(4);
    assertThat(layers(dag)).isEqualTo(Map.of("t1", 0, "t2", 1, "t3", 2, "t4", 3, "t5", 0));
    assertThat(dag.edges()).extracting(edge -> edge.from() + ">" + edge.to())
        .containsExactly("t1>t2", "t2>t3", "t1>t4", "t3>t4");
    assertThat(dag.nodes().get(3).state()).isEqualTo(TaskState.FAILED);
    assertThat(dag.nodes().get(3).taskId()).isEqualTo(4L);
  }

  @Test
  void inputsTheDatabaseDoesNotKnowAreLeftOut() {
    Dag dag = Dag.of(List.of(task(7, "a", TaskState.DONE, List.of(3L)), task(8, "a", TaskState.DONE, List.of(7L, 99L))),
        100);
    assertThat(layers(dag)).isEqualTo(Map.of("t7", 0, "t8", 1));
    assertThat(dag.edges()).hasSize(1);
  }

  @Test
  void aLongChainNeedsNoDeepStack() {
    List<TaskRecord> chain = new ArrayList<>();
    for (long id = 1; id <= 50_000; id++) {
      chain.add(task(id, "step", TaskState.DONE, id == 1 ? List.of() : List.of(id - 1)));
    }
    Dag collapsed = Dag.of(chain, 3_000);
    assertThat(collapsed.collapsed()).isTrue();
    assertThat(collapsed.tasks()).isEqualTo(50_000);
    assertThat(collapsed.nodes()).singleElement().satisfies(node -> {
      assertThat(node.tasks()).isEqualTo(50_000);
      assertThat(node.layer()).isZero();
    });
    // The edges within the app, counted on one edge from the app to itself.
    assertThat(collapsed.edges()).singleElement().satisfies(edge -> {
      assertThat(edge.from()).isEqualTo(edge.to());
      assertThat(edge.count()).isEqualTo(49_999);
    });
  }

  @Test
  void beyondTheLimitTheGraphIsOneNodePerAppWithCountedEdges() {
    // A fan-out of 10 samples into 2 reduces, plus a failure that stops one report.
    List<TaskRecord> tasks = new ArrayList<>();
    for (long id = 1; id <= 10; id++) {
      tasks.add(task(id, "sample", id == 10 ? TaskState.FAILED : TaskState.DONE, List.of()));
    }
    tasks.add(task(11, "reduce", TaskState.DONE, List.of(1L, 2L, 3L, 4L, 5L)));
    tasks.add(task(12, "reduce", TaskState.DEP_FAILED, List.of(6L, 7L, 8L, 9L, 10L)));
    tasks.add(task(13, "report", TaskState.DONE, List.of(11L)));
    Dag dag = Dag.of(tasks, 12);
    assertThat(dag.collapsed()).isTrue();
    assertThat(dag.tasks()).isEqualTo(13);
    assertThat(dag.nodes()).extracting(Dag.Node::app).containsExactly("sample", "reduce", "report");
    Dag.Node sample = dag.nodes().get(0);
    assertThat(sample.taskId()).isNull();
    assertThat(sample.tasks()).isEqualTo(10);
    assertThat(sample.states()).containsExactly(Map.entry("done", 9L), Map.entry("failed", 1L));
    assertThat(dag.nodes().get(1).states()).containsExactly(Map.entry("done", 1L), Map.entry("dep_failed", 1L));
    assertThat(dag.nodes()).extracting(Dag.Node::layer).containsExactly(0, 1, 2);
    assertThat(dag.layers()).isEqualTo(3);
    assertThat(dag.edges()).extracting(edge -> edge.from() + ">" + edge.to() + " " + edge.count())
        .containsExactly("a0>a1 10", "a1>a2 1");
    // Ids never carry a user's app name.
    assertThat(dag.nodes()).extracting(Dag.Node::id).containsExactly("a0", "a1", "a2");
    assertThat(Dag.of(tasks, 13).collapsed()).isFalse();
  }

  private static Map<String, Integer> layers(Dag dag) {
    return dag.nodes().stream().collect(Collectors.toMap(Dag.Node::id, Dag.Node::layer));
  }
}
