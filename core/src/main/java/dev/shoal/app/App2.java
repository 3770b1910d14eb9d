package dev.shoal.app;

import java.util.Objects;

/** An app of 2 arguments. */
public record App2<A, B, R>(AppDefinition definition) implements App<R> {
  public App2 {
    Objects.requireNonNull(definition, "definition");
    if (definition.arity() != 2) {
      throw new IllegalArgumentException("app " + definition.name() + " takes " + definition.arity() + " arguments, not 2");
    }
  }
}
