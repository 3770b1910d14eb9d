package dev.shoal;

import java.util.Collection;
import java.util.List;

/**
 * An app argument: a plain value, a future (a dependency), or a list gathered from many futures
 * and values. {@link AppFuture} is itself an {@code Arg}, so futures are passed as they are.
 *
 * @param <T> the type the app receives
 */
public sealed interface Arg<T> permits AppFuture, Arg.Value, Arg.All {

  static <T> Arg<T> of(T value) {
    return new Value<>(value);
  }

  /** A list argument whose elements are the results of these futures (or plain values), in order. */
  static <T> Arg<List<T>> all(Collection<? extends Arg<? extends T>> elements) {
    return new All<>(List.copyOf(elements));
  }

  /** A value known now. */
  record Value<T>(T value) implements Arg<T> {}

  /** A list gathered from several arguments, each a dependency if it is a future. */
  record All<T>(List<? extends Arg<? extends T>> elements) implements Arg<List<T>> {}
}
