package dev.shoal.internal.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppRegistryTest {
  private static final App1<Long, Long> ONE = Apps.define("registry.one").java(Long.class, Long.class, x -> x);
  private static final App1<Long, Long> TWO = Apps.define("registry.two").java(Long.class, Long.class, x -> x);

  @Test
  void findsAppsByName() {
    AppRegistry registry = AppRegistry.of(ONE, TWO);
    assertThat(registry.size()).isEqualTo(2);
    assertThat(registry.find("registry.one")).containsSame(ONE.definition());
    assertThat(registry.find("registry.two")).containsSame(TWO.definition());
    assertThat(registry.find("registry.three")).isEmpty();
    assertThat(registry.all()).containsExactlyInAnyOrder(ONE.definition(), TWO.definition());
  }

  @Test
  void refusesTwoDefinitionsWithOneName() {
    App1<Long, Long> clash = Apps.define("registry.one").java(Long.class, Long.class, x -> -x);
    assertThatThrownBy(() -> AppRegistry.of(ONE, clash))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'registry.one'")
        .hasMessageContaining("defined twice");
  }

  @Test
  void theSameDefinitionTwiceIsNotAClash() {
    assertThat(AppRegistry.of(List.of(ONE, ONE, TWO)).size()).isEqualTo(2);
  }

  @Test
  void isImmutable() {
    AppRegistry registry = AppRegistry.of(ONE);
    assertThatThrownBy(() -> registry.all().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void loadWithALoaderThatHasNoLibrariesIsEmpty() {
    ClassLoader empty = new ClassLoader(null) {};
    assertThat(AppRegistry.load(empty).size()).isZero();
  }
}
