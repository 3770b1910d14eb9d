package dev.shoal.azure.blob;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import dev.shoal.azure.vmss.Azurite;
import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreProvider;
import dev.shoal.testing.PayloadStoreContract;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Blob store, found by its scheme, against Azurite, below a root prefix in a fresh container. */
@ExtendWith(Azurite.class)
class BlobPayloadStoreOnAzuriteContractTest extends PayloadStoreContract {
  private static final String ROOT_PREFIX = "shoal-payloads";
  private static BlobContainerClient container;

  @BeforeAll
  static void createContainer() {
    container = Azurite.newContainer();
  }

  @AfterAll
  static void deleteContainer() {
    if (container != null) {
      container.delete();
    }
  }

  private static Map<String, String> settings() {
    return Map.of(BlobPayloadStore.Provider.CONNECTION, Azurite.connectionString());
  }

  @Override
  protected PayloadStore newStore() {
    return PayloadStoreProvider.forScheme("azblob").create(root(), settings());
  }

  @Override
  protected URI root() {
    return URI.create("azblob://" + Azurite.authority() + "/" + container.getBlobContainerName() + "/" + ROOT_PREFIX);
  }

  @Override
  protected List<URI> referencesOutsideRoot() {
    String account = "azblob://" + Azurite.authority();
    String inContainer = account + "/" + container.getBlobContainerName();
    return List.of(
        URI.create("azblob://other.blob.core.windows.net/" + container.getBlobContainerName() + "/" + ROOT_PREFIX + "/run/x"),
        URI.create(account + "/other-container/" + ROOT_PREFIX + "/run/x"),
        URI.create(inContainer + "/" + ROOT_PREFIX + "-sibling/run/x"),
        URI.create(inContainer + "/elsewhere/x"),
        URI.create(inContainer + "/" + ROOT_PREFIX + "/run/../../elsewhere/x"),
        URI.create(inContainer + "/" + ROOT_PREFIX + "/"),
        URI.create(inContainer + "/" + ROOT_PREFIX + "/run/x?sv=2020-01-01&sig=x"));
  }

  @Test
  void aRootNamingAnotherAccountThanTheConnectionIsRefused() {
    URI elsewhere = URI.create("azblob://shoalpayloads.blob.core.windows.net/" + container.getBlobContainerName());
    assertThatThrownBy(() -> PayloadStoreProvider.forScheme("azblob").create(elsewhere, settings()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another account");
  }
}
