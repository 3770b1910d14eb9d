package dev.shoal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.taskdb.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonMappingTest {
  private final JsonMapping json = new JsonMapping();

  @Test
  void timesAreMicrosecondsSinceTheEpochAndStatesTheirColumnWords() {
    record Value(Instant at, Duration took, TaskState state) {}
    assertThat(json.string(new Value(Instant.parse("2025-01-01T00:00:01.000002999Z"), Duration.ofMillis(1500),
        TaskState.DEP_FAILED))).isEqualTo("{\"at\":1735689601000002,\"took\":1500000,\"state\":\"dep_failed\"}");
    assertThat(JsonMapping.micros(Instant.ofEpochSecond(-1, 500_000_000))).isEqualTo(-500_000);
  }

  @Test
  void jsonForAScriptElementCannotCloseItOrOpenAComment() throws Exception {
    String hostile = "</script><script>alert(1)</script><!-- & </SCRIPT > \u2028\u2029";
    String encoded = json.forScriptElement(Map.of("error", hostile));
    assertThat(encoded).doesNotContain("<", ">", "&", "\u2028", "\u2029");
    assertThat(new ObjectMapper().readTree(encoded).get("error").asText()).isEqualTo(hostile);
  }
}
