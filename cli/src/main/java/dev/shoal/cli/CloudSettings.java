package dev.shoal.cli;

import dev.shoal.dispatcher.StandaloneDispatch;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * A cloud dispatcher's configuration on the command line: the function's environment variables as
 * this process has them, with the command's overrides on top, as the Lambda or the Function would
 * read them.
 */
final class CloudSettings {
  /** The fallback of --cloud. */
  static final String CLOUD_VARIABLE = "SHOAL_CLOUD";

  private CloudSettings() {}

  /** The cloud given, else {@value #CLOUD_VARIABLE}'s; a usage error when neither says. */
  static Cloud cloud(Cloud given, CliContext context, CommandLine commandLine) {
    if (given != null) {
      return given;
    }
    String variable = context.variable(CLOUD_VARIABLE);
    if (variable == null) {
      throw new CommandLine.ParameterException(commandLine, "--cloud aws|azure is required (or set "
          + CLOUD_VARIABLE + ")");
    }
    try {
      return Cloud.valueOf(variable.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, CLOUD_VARIABLE + " must be aws or azure, not '"
          + variable + "'");
    }
  }

  /** Opens the dispatcher; settings that are missing or wrong are a usage error naming each of them. */
  static StandaloneDispatch open(Cloud cloud, CliContext context, Map<String, String> overrides,
      Map<String, String> clientSettings, CommandLine commandLine) {
    Map<String, String> settings = new HashMap<>(context.env());
    settings.putAll(overrides);
    try {
      return context.dispatchers().open(cloud, settings, clientSettings);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, "the " + cloud + " dispatcher's settings: "
          + e.getMessage());
    }
  }
}
