package dev.shoal.app;

import java.util.Collection;

/**
 * A set of apps, published with {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/dev.shoal.app.AppLibrary}. A remote worker loads every library on its
 * class path and runs a task by looking its app up by name, so the definition used by the client
 * and by the worker is the same code.
 */
public interface AppLibrary {
  Collection<? extends App<?>> apps();
}
