package dev.shoal.cli;

import dev.shoal.dispatcher.StandaloneDispatch;
import java.util.Map;

/**
 * Makes a cloud's dispatcher from its function's settings. The standard one builds exactly what the
 * Lambda and the Function build; tests give one whose ARM client is a fake's.
 */
@FunctionalInterface
interface DispatcherFactory {

  /**
   * @param settings the function's environment variables (the process's, with the command's overrides)
   * @param clientSettings the AWS clients' settings (endpoint, region, credentials); none on Azure
   * @throws IllegalArgumentException when the settings are incomplete or wrong, naming each problem
   */
  StandaloneDispatch open(Cloud cloud, Map<String, String> settings, Map<String, String> clientSettings);

  static DispatcherFactory standard() {
    return (cloud, settings, clientSettings) -> switch (cloud) {
      case AWS -> dev.shoal.aws.dispatcher.StandaloneDispatcher.fromEnvironment(settings, clientSettings);
      case AZURE -> {
        if (!clientSettings.isEmpty()) {
          throw new IllegalArgumentException("--client-setting is for AWS's clients; on Azure the transport takes "
              + "SHOAL_TRANSPORT_SETTING_<key> and ARM is signed in with DefaultAzureCredential");
        }
        yield dev.shoal.azure.dispatcher.StandaloneDispatcher.fromEnvironment(settings);
      }
    };
  }
}
