package dev.shoal.azure.servicebus;

import dev.shoal.app.App1;
import dev.shoal.app.App;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import java.util.Collection;
import java.util.List;

/** Apps that workers on the fake Service Bus run, found through META-INF/services like a user's library. */
public final class AzureTestApps implements AppLibrary {
  static final App1<Long, Long> SQUARE = Apps.define("azure-test.square").java(Long.class, Long.class, x -> x * x);
  static final App1<String, String> FAIL = Apps.define("azure-test.fail").java(String.class, String.class,
      message -> {
        throw new IllegalStateException(message);
      });

  @Override
  public Collection<? extends App<?>> apps() {
    return List.of(SQUARE, FAIL);
  }
}
