package dev.shoal.app;

/**
 * A typed handle on an app: a named unit of work that a kernel can run on any executor. Create
 * apps with {@link Apps#define(String)} and publish them from an {@link AppLibrary} so that a
 * remote worker finds the very same definition by name.
 *
 * @param <R> the app's result type
 */
public sealed interface App<R> permits App0, App1, App2, App3, App4 {

  AppDefinition definition();

  default String name() {
    return definition().name();
  }

  @FunctionalInterface
  interface Fn0<R> {
    R apply() throws Exception;
  }

  @FunctionalInterface
  interface Fn1<A, R> {
    R apply(A a) throws Exception;
  }

  @FunctionalInterface
  interface Fn2<A, B, R> {
    R apply(A a, B b) throws Exception;
  }

  @FunctionalInterface
  interface Fn3<A, B, C, R> {
    R apply(A a, B b, C c) throws Exception;
  }

  @FunctionalInterface
  interface Fn4<A, B, C, D, R> {
    R apply(A a, B b, C c, D d) throws Exception;
  }
}
