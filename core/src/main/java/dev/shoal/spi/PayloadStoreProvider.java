package dev.shoal.spi;

import java.net.URI;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Opens payload stores from a location and plain settings, found with {@link ServiceLoader} by
 * scheme, as {@link TransportProvider} does for transports.
 */
public interface PayloadStoreProvider {

  /** The URI scheme this provider serves, such as "s3", "azblob" or "file". */
  String scheme();

  /**
   * A store that puts new objects under {@code root} (a bucket and prefix, a container, a folder)
   * and reads and deletes references below it; a reference elsewhere, which may come from the
   * wire, is refused with a {@link PayloadStoreException}.
   *
   * @param settings provider-specific (endpoint, region, credentials), as a transport's
   * @throws IllegalArgumentException when {@code root} is not one this provider can use
   */
  PayloadStore create(URI root, Map<String, String> settings);

  /** The provider of this scheme on the class path. */
  static PayloadStoreProvider forScheme(String scheme) {
    for (PayloadStoreProvider provider : ServiceLoader.load(PayloadStoreProvider.class)) {
      if (provider.scheme().equals(scheme)) {
        return provider;
      }
    }
    throw new IllegalArgumentException("no payload store for '" + scheme + ":' on the class path");
  }
}
