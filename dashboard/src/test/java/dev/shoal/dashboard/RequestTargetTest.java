package dev.shoal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestTargetTest {
  @Test
  void segmentsAreDecodedOneByOneAndPlusIsASpaceOnlyInTheQuery() {
    RequestTarget target = RequestTarget.of(URI.create("/api/runs/a%2Fb+c%20d/tasks?q=x+y%2Bz&state=&flag"));
    assertThat(target.segments()).containsExactly("api", "runs", "a/b+c d", "tasks");
    assertThat(target.parameter("q")).hasValue("x y+z");
    assertThat(target.parameter("state")).isEmpty();
    assertThat(target.parameter("flag")).isEmpty();
    assertThat(RequestTarget.of(URI.create("/api/runs/")).segments()).isEqualTo(List.of("api", "runs"));
    assertThat(RequestTarget.of(URI.create("/api/runs/%C3%A9t%C3%A9")).segments().get(2)).isEqualTo("été");
  }

  @Test
  void malformedEscapesAreABadRequest() {
    assertThatThrownBy(() -> RequestTarget.decode("%zz", false)).isInstanceOfSatisfying(ApiException.class,
        e -> assertThat(e.status()).isEqualTo(400));
    assertThatThrownBy(() -> RequestTarget.decode("ab%4", false)).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> RequestTarget.decode("%C3%28", false)).isInstanceOf(ApiException.class)
        .hasMessageContaining("not UTF-8");
  }

  @Test
  void wholeNumbersAreCheckedAgainstTheirBounds() {
    RequestTarget target = RequestTarget.of(URI.create("/x?limit=20&offset=-3&bad=1e3"));
    assertThat(target.intParameter("limit", 50, 1, 1000)).isEqualTo(20);
    assertThat(target.intParameter("missing", 50, 1, 1000)).isEqualTo(50);
    assertThatThrownBy(() -> target.intParameter("offset", 0, 0, 10)).hasMessageContaining("between 0 and 10");
    assertThatThrownBy(() -> target.intParameter("bad", 0, 0, 10)).hasMessageContaining("whole number");
  }

  @Test
  void bucketsAreWrittenAsPeopleWriteThem() {
    assertThat(ApiHandler.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(ApiHandler.duration("250")).isEqualTo(Duration.ofMillis(250));
    assertThat(ApiHandler.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(ApiHandler.duration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(ApiHandler.duration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(ApiHandler.duration("PT0.2S")).isEqualTo(Duration.ofMillis(200));
    for (String bad : List.of("", "s", "-1s", "1 day", "PT", "PT-1S", "0", "1e3s", "400d")) {
      assertThatThrownBy(() -> ApiHandler.duration(bad)).as(bad).isInstanceOfSatisfying(ApiException.class,
          e -> assertThat(e.status()).isEqualTo(400));
    }
  }
}
