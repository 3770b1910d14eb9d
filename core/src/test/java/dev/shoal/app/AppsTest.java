package dev.shoal.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.command.Command;
import dev.shoal.command.CommandResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AppsTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "pi.sample", "A-b_c:d.9", "0start"})
  void acceptsValidNames(String name) {
    assertThat(Apps.define(name).java(Long.class, () -> 1L).name()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " x", "has space", "-leading", ".leading", "slash/inside", "ünicode", "semi;colon"})
  void refusesInvalidNames(String name) {
    assertThatThrownBy(() -> Apps.define(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + name + "'");
  }

  @Test
  void javaAppsMayRunInFunctionsAndCommandAppsMayNotUnlessTheySaySo() {
    App1<Long, Long> java = Apps.define("fn.java").java(Long.class, Long.class, x -> x);
    App1<String, CommandResult> command = Apps.define("fn.command").command(String.class, f -> Command.of("wc", f));
    App1<String, CommandResult> toolInImage = Apps.define("fn.tool").runsInFunctions(true)
        .command(String.class, f -> Command.of("wc", f));
    App1<Long, Long> needsTheVm = Apps.define("fn.gpu").runsInFunctions(false).java(Long.class, Long.class, x -> x);

    assertThat(java.definition().fitsFunction(Duration.ofMinutes(15))).isTrue();
    assertThat(command.definition().runsInFunctions()).isFalse();
    assertThat(command.definition().fitsFunction(Duration.ofMinutes(15))).isFalse();
    assertThat(toolInImage.definition().fitsFunction(Duration.ofMinutes(15))).isTrue();
    assertThat(needsTheVm.definition().fitsFunction(Duration.ofMinutes(15))).isFalse();
  }

  @Test
  void aWalltimeLongerThanTheFunctionsTimeLimitKeepsAnAppOffIt() {
    App1<String, CommandResult> hour = Apps.define("fn.hour").runsInFunctions(true).walltime(Duration.ofHours(1))
        .command(String.class, f -> Command.of("wc", f));
    App1<Long, Long> minute = Apps.define("fn.minute").walltime(Duration.ofMinutes(1)).java(Long.class, Long.class, x -> x);

    assertThat(hour.definition().fitsFunction(Duration.ofMinutes(15))).isFalse();
    assertThat(minute.definition().fitsFunction(Duration.ofMinutes(1))).as("exactly the limit fits").isTrue();
    assertThat(minute.definition().fitsFunction(Duration.ofSeconds(59))).isFalse();
  }

  @Test
  void namesHaveAtMost128Characters() {
    assertThat(Apps.define("a".repeat(128)).java(Long.class, () -> 1L).name()).hasSize(128);
    assertThatThrownBy(() -> Apps.define("a".repeat(129))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesANullName() {
    assertThatThrownBy(() -> Apps.define(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void theShoalPrefixIsReserved() {
    assertThatThrownBy(() -> Apps.define("shoal.command"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved")
        .hasMessageContaining("shoal.command");
    assertThat(AppDefinition.RESERVED_PREFIX).isEqualTo("shoal.");
    // Only the exact prefix is reserved.
    assertThat(Apps.define("shoalfish").java(Long.class, () -> 1L).name()).isEqualTo("shoalfish");
  }

  /** An app's own exception, rebuildable from its message. */
  public static final class QuotaExceeded extends RuntimeException {
    public QuotaExceeded(String message) {
      super(message);
    }
  }

  /** Not rebuildable: its constructor is not public. */
  public static final class Hidden extends RuntimeException {
    Hidden(String message) {
      super(message);
    }
  }

  /** Not rebuildable: abstract. */
  public abstract static class Unfinished extends RuntimeException {
    public Unfinished(String message) {
      super(message);
    }
  }

  @Test
  void declaredExceptionTypesAreKeptInTheDefinition() {
    AppDefinition app = Apps.define("declares").throwing(QuotaExceeded.class, java.io.IOException.class)
        .java(Long.class, () -> 1L).definition();
    assertThat(app.exceptionTypes()).containsExactly(QuotaExceeded.class, java.io.IOException.class);
    assertThat(Apps.define("declares-none").java(Long.class, () -> 1L).definition().exceptionTypes()).isEmpty();
  }

  @Test
  void aDeclaredExceptionMustBeRebuildableFromItsMessage() {
    for (Class<? extends Exception> type : List.of(Hidden.class, Unfinished.class, java.io.UncheckedIOException.class)) {
      assertThatThrownBy(() -> Apps.define("declares-bad").throwing(type))
          .as(type.getName())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(type.getName())
          .hasMessageContaining("public constructor taking its message");
    }
  }

  @Test
  void defaultsOfADefinition() {
    AppDefinition app = Apps.define("defaults").java(Long.class, Long.class, x -> x).definition();
    assertThat(app.version()).isEqualTo("1");
    assertThat(app.kind()).isEqualTo(AppDefinition.Kind.JAVA);
    assertThat(app.memoize()).isFalse();
    assertThat(app.retries()).isEmpty();
    assertThat(app.executor()).isEmpty();
    assertThat(app.walltime()).isEmpty();
    assertThat(app.arity()).isEqualTo(1);
    assertThat(app.parameterTypes()).containsExactly(Long.class);
    assertThat(app.resultType()).isEqualTo(Long.class);
    assertThat(app).hasToString("defaults@1");
  }

  @Test
  void optionsAreRecorded() {
    App2<List<Long>, String, Double> app = Apps.define("options")
        .version("7")
        .memoize()
        .retries(2)
        .executor("gpu")
        .walltime(Duration.ofSeconds(5))
        .java(TypeRef.listOf(Long.class), TypeRef.of(String.class), TypeRef.of(Double.class), (l, s) -> 1.0);
    AppDefinition definition = app.definition();
    assertThat(app.name()).isEqualTo("options");
    assertThat(definition.version()).isEqualTo("7");
    assertThat(definition.memoize()).isTrue();
    assertThat(definition.retries()).hasValue(2);
    assertThat(definition.executor()).contains("gpu");
    assertThat(definition.walltime()).contains(Duration.ofSeconds(5));
    assertThat(definition.parameterTypes()).containsExactly(TypeRef.listOf(Long.class).type(), String.class);
    assertThat(definition.resultType()).isEqualTo(Double.class);
  }

  @Test
  void invalidOptionsAreRefused() {
    assertThatThrownBy(() -> Apps.define("x").retries(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Apps.define("x").walltime(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Apps.define("x").walltime(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Apps.define("x").version(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Apps.define("x").executor(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Apps.define("x").java(Long.class, (App.Fn0<Long>) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void bodiesReceiveTheirArgumentsInOrder() throws Exception {
    App4<String, String, String, String, String> concat = Apps.define("concat")
        .java(String.class, String.class, String.class, String.class, String.class, (a, b, c, d) -> a + b + c + d);
    assertThat(concat.definition().invoke(new Object[] {"a", "b", "c", "d"})).isEqualTo("abcd");
    App3<Integer, Integer, Integer, Integer> weighted = Apps.define("weighted")
        .java(Integer.class, Integer.class, Integer.class, Integer.class, (a, b, c) -> 100 * a + 10 * b + c);
    assertThat(weighted.definition().invoke(new Object[] {1, 2, 3})).isEqualTo(123);
    App0<String> constant = Apps.define("constant").java(String.class, () -> "k");
    assertThat(constant.definition().invoke(new Object[0])).isEqualTo("k");
  }

  @Test
  void invokeChecksTheArgumentCount() {
    AppDefinition app = Apps.define("pair").java(Long.class, Long.class, Long.class, Long::sum).definition();
    assertThatThrownBy(() -> app.invoke(new Object[] {1L}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("takes 2 arguments, got 1");
  }

  @Test
  void typedHandlesCheckTheArity() {
    AppDefinition two = Apps.define("two").java(Long.class, Long.class, Long.class, Long::sum).definition();
    assertThat(new App2<Long, Long, Long>(two).definition()).isSameAs(two);
    assertThatThrownBy(() -> new App1<Long, Long>(two))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("app two takes 2 arguments, not 1");
    assertThatThrownBy(() -> new App0<Long>(two)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new App3<Long, Long, Long, Long>(two)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new App4<Long, Long, Long, Long, Long>(two)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new App1<Long, Long>(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void commandAppsBuildACommandAndResultInACommandResult() throws Exception {
    App2<String, Integer, CommandResult> app = Apps.define("cmd")
        .command(String.class, Integer.class, (word, n) -> Command.of("echo", word.repeat(n)));
    AppDefinition definition = app.definition();
    assertThat(definition.kind()).isEqualTo(AppDefinition.Kind.COMMAND);
    assertThat(definition.resultType()).isEqualTo(CommandResult.class);
    assertThat(definition.invoke(new Object[] {"ab", 2})).isEqualTo(Command.of("echo", "abab"));
  }
}
