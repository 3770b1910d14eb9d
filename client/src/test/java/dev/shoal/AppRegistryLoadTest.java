package dev.shoal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.app.App;
import dev.shoal.app.AppDefinition;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import dev.shoal.internal.app.AppRegistry;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppRegistryLoadTest {

  /** A second library that defines an app named like one of {@link TestApps}. */
  public static final class ClashingLibrary implements AppLibrary {
    @Override
    public Collection<? extends App<?>> apps() {
      return List.of(Apps.define(TestApps.INC.name()).java(Long.class, Long.class, x -> x - 1));
    }
  }

  @Test
  void loadFindsTheTestLibraryThroughServiceLoader() {
    AppRegistry registry = AppRegistry.load();

    TestApps library = new TestApps();
    assertThat(registry.size()).isGreaterThanOrEqualTo(library.apps().size());
    for (App<?> app : library.apps()) {
      assertThat(registry.find(app.name())).as(app.name()).containsSame(app.definition());
    }
    assertThat(registry.all()).extracting(AppDefinition::name).contains("test.inc", "test.shell");
    assertThat(registry.find("no.such.app")).isEmpty();
  }

  @Test
  void twoLibrariesDefiningTheSameNameAreRefused(@TempDir Path classes) throws Exception {
    Path services = classes.resolve("META-INF/services/" + AppLibrary.class.getName());
    Files.createDirectories(services.getParent());
    Files.writeString(services, ClashingLibrary.class.getName() + "\n");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      assertThatThrownBy(() -> AppRegistry.load(loader))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'test.inc'")
          .hasMessageContaining("defined twice")
          .hasMessageContaining(ClashingLibrary.class.getName());
    }
  }
}
