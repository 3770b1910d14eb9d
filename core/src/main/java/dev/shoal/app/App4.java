package dev.shoal.app;

import java.util.Objects;

/** An app of 4 arguments. */
public record App4<A, B, C, D, R>(AppDefinition definition) implements App<R> {
  public App4 {
    Objects.requireNonNull(definition, "definition");
    if (definition.arity() != 4) {
      throw new IllegalArgumentException("app " + definition.name() + " takes " + definition.arity() + " arguments, not 4");
    }
  }
}
