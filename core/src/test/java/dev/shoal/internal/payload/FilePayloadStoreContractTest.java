package dev.shoal.internal.payload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreException;
import dev.shoal.spi.PayloadStoreProvider;
import dev.shoal.testing.PayloadStoreContract;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder store, found by its scheme, against the contract, plus what only a file system can do. */
class FilePayloadStoreContractTest extends PayloadStoreContract {
  @TempDir
  Path temp;

  private Path folder() {
    return temp.resolve("payloads");
  }

  @Override
  protected PayloadStore newStore() {
    return PayloadStoreProvider.forScheme("file").create(folder().toUri(), Map.of());
  }

  @Override
  protected URI root() {
    return folder().toUri();
  }

  @Override
  protected List<URI> referencesOutsideRoot() {
    Path root = folder();
    return List.of(
        URI.create("file://" + root + "/../outside"),
        URI.create("file://" + root + "/run/%2e%2e/%2e%2e/outside"),
        temp.resolve("payloads-sibling/run/x").toUri(),
        temp.resolve("elsewhere").toUri(),
        root.toUri(),
        URI.create("file://otherhost" + root + "/run/x"),
        URI.create("file:" + root.toString().substring(1) + "/run/x"));
  }

  @Test
  void aSymbolicLinkLeadingOutOfTheRootIsRefused() throws IOException {
    Path secret = Files.writeString(temp.resolve("secret"), "secret");
    Files.createDirectories(folder().resolve("run"));
    Path link = Files.createSymbolicLink(folder().resolve("run/link"), secret);
    Path dirLink = Files.createSymbolicLink(folder().resolve("dirlink"), temp);

    for (URI reference : List.of(link.toUri(), dirLink.resolve("secret").toUri())) {
      Throwable failure = catchFailure(reference, 1000);
      assertThat(failure).isInstanceOf(PayloadStoreException.class).hasMessageContaining("refusing");
    }
  }

  @Test
  void aHugeFileOverTheLimitFailsWithoutBeingRead() throws IOException {
    Path huge = folder().resolve("run/huge");
    Files.createDirectories(huge.getParent());
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(8L * 1024 * 1024 * 1024); // sparse: no disk used, but reading it whole cannot succeed
    }
    Throwable failure = catchFailure(huge.toUri(), 1024 * 1024);
    assertThat(failure).isInstanceOf(PayloadStoreException.class)
        .hasMessageContaining(Long.toString(8L * 1024 * 1024 * 1024)).hasMessageContaining("over the limit");
  }

  @Test
  void objectsAreReadableByTheirOwnerOnlyAndNoTemporaryFileIsLeft() throws IOException {
    URI location = await(store.put("run", new byte[] {1, 2, 3}));
    Path file = Path.of(location);
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    try (var listing = Files.list(file.getParent())) {
      assertThat(listing).containsExactly(file);
    }
  }

  private Throwable catchFailure(URI reference, long maxBytes) {
    try {
      store.get(reference, maxBytes).join();
      throw new AssertionError("read " + reference);
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
