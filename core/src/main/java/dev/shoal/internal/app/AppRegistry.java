package dev.shoal.internal.app;

import dev.shoal.app.App;
import dev.shoal.app.AppDefinition;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** Apps by name, as found in the {@link AppLibrary} services of a class path. Immutable. */
public final class AppRegistry {
  private final Map<String, AppDefinition> byName;

  private AppRegistry(Map<String, AppDefinition> byName) {
    this.byName = Map.copyOf(byName);
  }

  /** Every app of every library that {@link ServiceLoader} finds with this class loader. */
  public static AppRegistry load(ClassLoader loader) {
    Map<String, AppDefinition> apps = new LinkedHashMap<>();
    for (AppLibrary library : ServiceLoader.load(AppLibrary.class, loader)) {
      addAll(apps, library.apps(), library.getClass().getName());
    }
    return new AppRegistry(apps);
  }

  public static AppRegistry load() {
    return load(Thread.currentThread().getContextClassLoader());
  }

  public static AppRegistry of(Collection<? extends App<?>> apps) {
    Map<String, AppDefinition> byName = new LinkedHashMap<>();
    addAll(byName, apps, "the given apps");
    return new AppRegistry(byName);
  }

  public static AppRegistry of(App<?>... apps) {
    return of(List.of(apps));
  }

  private static void addAll(Map<String, AppDefinition> into, Collection<? extends App<?>> apps, String source) {
    for (App<?> app : apps) {
      AppDefinition definition = app.definition();
      AppDefinition previous = into.putIfAbsent(definition.name(), definition);
      if (previous != null && previous != definition) {
        throw new IllegalStateException("app name '" + definition.name() + "' is defined twice (again in "
            + source + "); app names must be unique on a class path");
      }
    }
  }

  public Optional<AppDefinition> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Collection<AppDefinition> all() {
    return byName.values();
  }

  public int size() {
    return byName.size();
  }
}
