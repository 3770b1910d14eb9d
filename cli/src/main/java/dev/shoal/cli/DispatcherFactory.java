package dev.shoal.cli;

import dev.shoal.dispatcher.ScalingReport;
import dev.shoal.spi.Transport;
import dev.shoal.spi.WorkerInstance;
import java.util.List;
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
  CloudDispatcher open(Cloud cloud, Map<String, String> settings, Map<String, String> clientSettings);

  static DispatcherFactory standard() {
    return (cloud, settings, clientSettings) -> switch (cloud) {
      case AWS -> aws(dev.shoal.aws.dispatcher.StandaloneDispatcher.fromEnvironment(settings, clientSettings));
      case AZURE -> {
        if (!clientSettings.isEmpty()) {
          throw new IllegalArgumentException("--client-setting is for AWS's clients; on Azure the transport takes "
              + "SHOAL_TRANSPORT_SETTING_<key> and ARM is signed in with DefaultAzureCredential");
        }
        yield azure(dev.shoal.azure.dispatcher.StandaloneDispatcher.fromEnvironment(settings));
      }
    };
  }

  static CloudDispatcher aws(dev.shoal.aws.dispatcher.StandaloneDispatcher dispatcher) {
    return new CloudDispatcher() {
      @Override public ScalingReport evaluate() {
        return dispatcher.evaluate();
      }

      @Override public List<WorkerInstance> pool() {
        return dispatcher.pool();
      }

      @Override public String poolName() {
        return dispatcher.poolName();
      }

      @Override public Transport transport() {
        return dispatcher.transport();
      }

      @Override public String taskQueue() {
        return dispatcher.taskQueue();
      }

      @Override public String vmQueue() {
        return dispatcher.vmQueue();
      }

      @Override public void close() {
        dispatcher.close();
      }
    };
  }

  static CloudDispatcher azure(dev.shoal.azure.dispatcher.StandaloneDispatcher dispatcher) {
    return new CloudDispatcher() {
      @Override public ScalingReport evaluate() {
        return dispatcher.evaluate();
      }

      @Override public List<WorkerInstance> pool() {
        return dispatcher.pool();
      }

      @Override public String poolName() {
        return dispatcher.poolName();
      }

      @Override public Transport transport() {
        return dispatcher.transport();
      }

      @Override public String taskQueue() {
        return dispatcher.taskQueue();
      }

      @Override public String vmQueue() {
        return dispatcher.vmQueue();
      }

      @Override public void close() {
        dispatcher.close();
      }
    };
  }
}
