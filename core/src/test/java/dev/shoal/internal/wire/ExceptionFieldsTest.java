package dev.shoal.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.shoal.app.EncodingException;
import dev.shoal.command.CommandFailedException;
import dev.shoal.command.WalltimeExceededException;
import dev.shoal.internal.codec.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExceptionFieldsTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private final WireCodec wire = new WireCodec(JsonCodec.create());

  /** The error as the client reads it: written into a result, framed, and decoded. */
  private RemoteError crossed(Throwable error) {
    ResultEnvelope result = new ResultEnvelope(WireCodec.VERSION, 3, "run-1", 1, ResultEnvelope.Status.APP_ERROR, null,
        RemoteError.of(error), "worker-1", null, null, null);
    byte[] bytes = wire.encodeResults(List.of(result));
    return wire.decodeResults(bytes, Integer.MAX_VALUE).envelopes().get(0).error();
  }

  @Test
  void aFailedCommandCrossesWithItsFieldsAndIsRebuiltForTheClientsAppAndTask() {
    CommandFailedException onWorker = new CommandFailedException("shoal.command", 3, List.of("/bin/sh", "-c", "exit 7"),
        7, "broken\n");

    RemoteError error = crossed(onWorker);
    RuntimeException rebuilt = ExceptionFields.rebuild(error, "my.app", 42, null).orElseThrow();

    assertThat(error.fields()).containsOnlyKeys("command", "exitCode", "stderrTail");
    assertThat(rebuilt).isExactlyInstanceOf(CommandFailedException.class);
    CommandFailedException failure = (CommandFailedException) rebuilt;
    assertThat(failure.exitCode()).isEqualTo(7);
    assertThat(failure.stderrTail()).isEqualTo("broken\n");
    assertThat(failure.command()).containsExactly("/bin/sh", "-c", "exit 7");
    assertThat(failure.app()).isEqualTo("my.app");
    assertThat(failure.taskId()).isEqualTo(42);
    assertThat(failure.getMessage()).startsWith("app my.app (task 42): ").contains("exited with code 7");
  }

  @Test
  void aKilledCommandCrossesWithItsWalltime() {
    RemoteError error = crossed(new WalltimeExceededException("shoal.command", 3, List.of("sleep", "10"),
        Duration.ofMillis(300)));

    RuntimeException rebuilt = ExceptionFields.rebuild(error, "my.app", 42, null).orElseThrow();

    assertThat(rebuilt).isExactlyInstanceOf(WalltimeExceededException.class);
    assertThat(((WalltimeExceededException) rebuilt).walltime()).isEqualTo(Duration.ofMillis(300));
    assertThat(((WalltimeExceededException) rebuilt).command()).containsExactly("sleep", "10");
  }

  @Test
  void anEncodingFailureIsRebuiltWithItsMessageAndTheGivenCause() {
    RemoteError error = crossed(new EncodingException("cannot encode a Thing", new IllegalArgumentException("no")));
    IllegalStateException cause = new IllegalStateException("rebuilt cause");

    RuntimeException rebuilt = ExceptionFields.rebuild(error, "my.app", 42, cause).orElseThrow();

    assertThat(rebuilt).isExactlyInstanceOf(EncodingException.class).hasMessage("cannot encode a Thing").hasCause(cause);
    assertThat(error.fields()).isNull();
  }

  @Test
  void otherExceptionsCarryNoFieldsAndAreNotRebuiltHere() {
    RemoteError error = crossed(new IllegalStateException("app's own"));

    assertThat(error.fields()).isNull();
    assertThat(ExceptionFields.rebuild(error, "my.app", 42, null)).isEmpty();
  }

  @Test
  void aSubclassOfAShoalExceptionIsNotTakenForIt() {
    class Custom extends CommandFailedException {
      Custom() {
        super("a", 1, List.of("x"), 2, "");
      }
    }

    RemoteError error = crossed(new Custom());

    assertThat(error.fields()).isNull();
    assertThat(ExceptionFields.rebuild(error, "my.app", 42, null)).isEmpty();
  }

  @Test
  void missingOrMalformedFieldsRebuildNothing() {
    String failed = CommandFailedException.class.getName();
    String killed = WalltimeExceededException.class.getName();
    JsonNode command = NODES.arrayNode().add("false");
    List<RemoteError> errors = List.of(
        // What a worker from before the fields sends.
        new RemoteError(failed, "command 'false' exited with code 1", List.of(), null, null),
        fields(failed, Map.of("command", command, "exitCode", NODES.textNode("1"), "stderrTail", NODES.textNode(""))),
        fields(failed, Map.of("command", command, "exitCode", NODES.numberNode(1.5), "stderrTail", NODES.textNode(""))),
        fields(failed, Map.of("command", command, "exitCode", NODES.numberNode(1L << 40), "stderrTail", NODES.textNode(""))),
        fields(failed, Map.of("command", NODES.arrayNode(), "exitCode", NODES.numberNode(1), "stderrTail", NODES.textNode(""))),
        fields(failed, Map.of("command", NODES.arrayNode().add(1), "exitCode", NODES.numberNode(1),
            "stderrTail", NODES.textNode(""))),
        fields(failed, Map.of("exitCode", NODES.numberNode(1), "stderrTail", NODES.textNode(""))),
        fields(killed, Map.of("command", command, "walltime", NODES.textNode("soon"))),
        fields(killed, Map.of("command", command, "walltime", NODES.textNode("-PT1S"))),
        fields(killed, Map.of("command", command)));

    for (RemoteError error : errors) {
      assertThat(ExceptionFields.rebuild(error, "my.app", 42, null)).as(error.toString()).isEmpty();
    }
  }

  @Test
  void readersIgnoreFieldsTheyDoNotKnowAndErrorsWithoutFieldsStillRead() {
    String json = "{\"v\":1,\"kind\":\"results\",\"results\":[{\"v\":1,\"id\":3,\"run\":\"run-1\",\"attempt\":1,"
        + "\"status\":\"app_error\",\"worker\":\"w\",\"error\":{\"type\":\"java.lang.IllegalStateException\","
        + "\"message\":\"m\",\"stack\":[],\"fromTheFuture\":{\"x\":1}}}]}";

    RemoteError error = wire.decodeResults(json.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE).envelopes().get(0).error();

    assertThat(error.type()).isEqualTo("java.lang.IllegalStateException");
    assertThat(error.fields()).isNull();
  }

  private static RemoteError fields(String type, Map<String, JsonNode> fields) {
    return new RemoteError(type, "m", List.of(), null, fields);
  }
}
