package dev.shoal.cli;

import java.lang.reflect.Constructor;
import picocli.CommandLine;

/**
 * Makes picocli's command objects, handing the {@link CliContext} to those whose constructor takes
 * it: the context reaches every command without static state.
 */
final class CommandFactory implements CommandLine.IFactory {
  private final CliContext context;

  CommandFactory(CliContext context) {
    this.context = context;
  }

  @Override
  public <K> K create(Class<K> type) throws Exception {
    for (Constructor<?> constructor : type.getDeclaredConstructors()) {
      Class<?>[] parameters = constructor.getParameterTypes();
      if (parameters.length == 1 && parameters[0] == CliContext.class) {
        constructor.setAccessible(true);
        return type.cast(constructor.newInstance(context));
      }
    }
    return CommandLine.defaultFactory().create(type);
  }
}
