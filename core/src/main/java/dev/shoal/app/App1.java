package dev.shoal.app;

import java.util.Objects;

/** An app of 1 argument. */
public record App1<A, R>(AppDefinition definition) implements App<R> {
  public App1 {
    Objects.requireNonNull(definition, "definition");
    if (definition.arity() != 1) {
      throw new IllegalArgumentException("app " + definition.name() + " takes " + definition.arity() + " arguments, not 1");
    }
  }
}
