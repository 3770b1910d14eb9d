package dev.shoal.app;

import java.util.Objects;

/** An app of 3 arguments. */
public record App3<A, B, C, R>(AppDefinition definition) implements App<R> {
  public App3 {
    Objects.requireNonNull(definition, "definition");
    if (definition.arity() != 3) {
      throw new IllegalArgumentException("app " + definition.name() + " takes " + definition.arity() + " arguments, not 3");
    }
  }
}
