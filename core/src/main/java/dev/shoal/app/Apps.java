package dev.shoal.app;

/**
 * Entry point for defining apps:
 *
 * <pre>{@code
 * static final App2<Long, Long, Long> SAMPLE =
 *     Apps.define("pi.sample").memoize().java(Long.class, Long.class, Long.class, Pi::sample);
 * }</pre>
 */
public final class Apps {
  private Apps() {}

  public static AppBuilder define(String name) {
    if (name != null && name.startsWith(AppDefinition.RESERVED_PREFIX)) {
      throw new IllegalArgumentException("app names starting with '" + AppDefinition.RESERVED_PREFIX
          + "' are reserved for Shoal's built-in apps: " + name);
    }
    return new AppBuilder(AppDefinition.checkName(name));
  }
}
