package dev.shoal.app;

import java.util.Objects;

/** An app of 0 arguments. */
public record App0<R>(AppDefinition definition) implements App<R> {
  public App0 {
    Objects.requireNonNull(definition, "definition");
    if (definition.arity() != 0) {
      throw new IllegalArgumentException("app " + definition.name() + " takes " + definition.arity() + " arguments, not 0");
    }
  }
}
