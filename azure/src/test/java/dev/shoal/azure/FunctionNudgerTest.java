package dev.shoal.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.testing.Await;
import dev.shoal.testing.ManualClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's nudge, against a fake of the Functions host's HTTP front end that checks what it gets. */
class FunctionNudgerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String KEY = "nudge-key-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:00Z"));

  @Test
  void postsTheNudgeWithTheFunctionsKeyAtMostOncePerInterval() throws Exception {
    try (FakeFunctionsHost host = FakeFunctionsHost.start("nudge", KEY,
             body -> FakeFunctionsHost.Reply.ok("{\"action\":\"HOLD\"}"));
         FunctionNudger nudger = FunctionNudger.builder().url(host.url()).functionKey(KEY)
             .minInterval(Duration.ofSeconds(1)).clock(clock).build()) {
      nudger.published(10, 1);
      Await.until(WAIT, () -> nudger.nudges() == 1, () -> "one nudge accepted: " + host.requests());
      nudger.published(10, 1);
      clock.advance(Duration.ofMillis(999));
      nudger.published(3, 1);

      clock.advance(Duration.ofMillis(1));
      nudger.published(90, 3);
      nudger.published(0, 1);
      Await.until(WAIT, () -> nudger.nudges() == 2, () -> "two nudges accepted: " + host.requests());

      List<FakeFunctionsHost.Request> requests = host.requests();
      assertThat(requests).hasSize(2).allSatisfy(request -> {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/nudge");
        assertThat(request.key()).isEqualTo(KEY);
        assertThat(request.contentType()).isEqualTo("application/json");
      });
      JsonNode first = JSON.readTree(requests.get(0).body());
      assertThat(first.path("source").asText()).isEqualTo("shoal.nudge");
      assertThat(first.path("tasks").asLong()).isEqualTo(10);
      assertThat(first.path("messages").asLong()).isEqualTo(1);
      JsonNode second = JSON.readTree(requests.get(1).body());
      // Carries what was published since the first, not only its own publish.
      assertThat(second.path("tasks").asLong()).isEqualTo(103);
      assertThat(second.path("messages").asLong()).isEqualTo(5);
      assertThat(nudger.failures()).isZero();
      assertThat(nudger.toString()).doesNotContain(KEY);
    }
  }

  @Test
  void publishingNeverWaitsForTheFunction() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    try (FakeFunctionsHost host = FakeFunctionsHost.start("nudge", KEY, body -> {
           answer.await(30, TimeUnit.SECONDS);
           return FakeFunctionsHost.Reply.ok("{}");
         });
         FunctionNudger nudger = FunctionNudger.builder().url(host.url()).functionKey(KEY).clock(clock).build()) {
      nudger.published(5, 1);

      // Back in the publisher while the Function still holds the request.
      Await.until(WAIT, () -> host.requests().size() == 1, () -> "the request at the host");
      assertThat(nudger.nudges()).isZero();
      answer.countDown();
      Await.until(WAIT, () -> nudger.nudges() == 1, () -> "the nudge accepted");
    }
  }

  @Test
  void aRefusedKeyOrAFailedInvocationIsCountedAndLoggedNeverThrown() throws Exception {
    try (FakeFunctionsHost host = FakeFunctionsHost.start("nudge", KEY, body -> {
           throw new IllegalStateException("depth unreadable");
         });
         FunctionNudger wrongKey = FunctionNudger.builder().url(host.url()).functionKey("not-the-key").clock(clock)
             .build();
         FunctionNudger failing = FunctionNudger.builder().url(host.url()).functionKey(KEY).clock(clock).build()) {
      wrongKey.published(1, 1);
      failing.published(1, 1);

      Await.until(WAIT, () -> wrongKey.failures() == 1 && failing.failures() == 1, () -> "both failures");
      assertThat(wrongKey.nudges()).isZero();
      assertThat(failing.nudges()).isZero();
      assertThat(host.requests()).extracting(FakeFunctionsHost.Request::key)
          .containsExactlyInAnyOrder("not-the-key", KEY);
    }
  }

  @Test
  void anUnreachableFunctionIsCountedAndLoggedNeverThrown() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (FunctionNudger nudger = FunctionNudger.builder().url("http://127.0.0.1:" + closedPort + "/api/nudge")
        .functionKey(KEY).clock(clock).build()) {
      nudger.published(1, 1);
      Await.until(WAIT, () -> nudger.failures() == 1, () -> "the failed nudge");
      assertThat(nudger.nudges()).isZero();
    }
  }

  @Test
  void aClosedNudgerNudgesNoMore() throws Exception {
    try (FakeFunctionsHost host = FakeFunctionsHost.start("nudge", KEY, body -> FakeFunctionsHost.Reply.ok("{}"))) {
      FunctionNudger nudger = FunctionNudger.builder().url(host.url()).functionKey(KEY).clock(clock).build();
      nudger.close();
      nudger.published(5, 1);
      assertThat(nudger.nudges() + nudger.failures()).isZero();
      assertThat(host.requests()).isEmpty();
    }
  }

  @Test
  void theKeyTravelsOnlyOverHttpsOrToThisMachine() {
    FunctionNudger.Builder builder = FunctionNudger.builder().functionKey(KEY);
    assertThatThrownBy(() -> builder.url("http://shoal-dispatcher.example.invalid/api/nudge").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https");
    assertThatThrownBy(() -> builder.url("ftp://127.0.0.1/api/nudge").build())
        .isInstanceOf(IllegalArgumentException.class);
    builder.url("https://shoal-dispatcher.example.invalid/api/nudge").build().close();
    builder.url("http://127.0.0.1:7071/api/nudge").build().close();
    builder.url("http://localhost:7071/api/nudge").build().close();
    builder.url("http://[::1]:7071/api/nudge").build().close();
    assertThatThrownBy(() -> FunctionNudger.builder().functionKey(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FunctionNudger.builder().url("https://x.example.invalid/api/nudge").build())
        .isInstanceOf(NullPointerException.class).hasMessageContaining("key");
  }
}
