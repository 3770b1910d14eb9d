package dev.shoal.config;

/**
 * A configuration that cannot be used: an unknown key, a bad or missing value, a file that is not
 * YAML. The message names the key, and the file and line it came from, or the system property or
 * environment variable that overrode it.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
