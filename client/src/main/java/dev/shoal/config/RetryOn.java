package dev.shoal.config;

import dev.shoal.RetryPolicy;
import java.util.List;

/** {@code retryOn:}: retry a failure that is an instance of one of these types. */
record RetryOn(List<Class<? extends Throwable>> types) implements RetryPolicy {
  RetryOn {
    types = List.copyOf(types);
  }

  @Override
  public boolean shouldRetry(Throwable error, int attempt) {
    return types.stream().anyMatch(type -> type.isInstance(error));
  }
}
