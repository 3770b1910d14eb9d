package dev.shoal.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PayloadStore} must do, run against each implementation (a local folder, S3 on
 * moto, Blob storage on Azurite). Failures arrive as a failed future holding a
 * {@link PayloadStoreException} whose message names the reference; a bad prefix, the caller's own
 * mistake, is thrown at once.
 */
public abstract class PayloadStoreContract {
  private static final long WAIT_SECONDS = 60;
  private static final int MB = 1024 * 1024;

  protected PayloadStore store;
  private final Random random = new Random(42);

  /** A fresh store putting objects below {@link #root()}; it is closed after the test. */
  protected abstract PayloadStore newStore();

  /** The root the store of this test puts new objects below. */
  protected abstract URI root();

  /**
   * References of the store's scheme that lie outside its root (another bucket or folder, a
   * sibling of the root, a path climbing out of it with "..").
   */
  protected abstract List<URI> referencesOutsideRoot();

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  private static String newPrefix() {
    return "run-" + UUID.randomUUID().toString().substring(0, 8);
  }

  protected static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : new CompletionException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT_SECONDS + " s", e);
    }
  }

  /** The failure of a call that must fail asynchronously with a PayloadStoreException. */
  private static PayloadStoreException failure(CompletableFuture<?> call) {
    try {
      call.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException ? e.getCause().getCause() : e.getCause();
      assertThat(cause).isInstanceOf(PayloadStoreException.class);
      return (PayloadStoreException) cause;
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("the call neither succeeded nor failed", e);
    }
    throw new AssertionError("the call succeeded; it should have failed");
  }

  @Test
  void roundTripsEmptySmallAndSeveralMegabyteObjects() {
    String prefix = newPrefix();
    for (int size : new int[] {0, 1, 1000, 5 * MB + 3}) {
      byte[] bytes = randomBytes(size);
      URI location = await(store.put(prefix, bytes));
      assertThat(await(store.get(location, size))).as("%d bytes", size).isEqualTo(bytes);
    }
  }

  @Test
  void eachPutGetsAFreshReferenceBelowTheRootAndThePrefix() {
    String prefix = newPrefix() + "/args";
    Set<URI> locations = new HashSet<>();
    byte[] same = randomBytes(10);
    for (int i = 0; i < 20; i++) {
      locations.add(await(store.put(prefix, same)));
    }
    assertThat(locations).hasSize(20);
    String root = root().toString().replaceAll("/+$", "") + "/";
    for (URI location : locations) {
      assertThat(location.getScheme()).isEqualTo(store.scheme());
      assertThat(location.toString()).startsWith(root + prefix + "/");
    }
  }

  @Test
  void aBadPrefixIsRefusedAtOnce() {
    for (String prefix : new String[] {"", "/abs", "a/../b", "..", "a//b", "a/", "a b", "a/./b"}) {
      assertThatThrownBy(() -> store.put(prefix, new byte[1])).as(prefix)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
    }
  }

  @Test
  void anObjectOverTheLimitFailsSayingItsSize() {
    byte[] bytes = randomBytes(2 * MB);
    URI location = await(store.put(newPrefix(), bytes));

    PayloadStoreException tooLarge = failure(store.get(location, MB));
    assertThat(tooLarge).hasMessageContaining(location.toString()).hasMessageContaining(Integer.toString(2 * MB));
    assertThat(await(store.get(location, 2 * MB))).isEqualTo(bytes);
    assertThat(failure(store.get(location, 2 * MB - 1))).hasMessageContaining(location.toString());
  }

  @Test
  void aMissingObjectFailsSayingSo() {
    URI location = await(store.put(newPrefix(), randomBytes(5)));
    await(store.delete(location));

    PayloadStoreException missing = failure(store.get(location, MB));
    assertThat(missing).hasMessageContaining(location.toString()).hasMessageContaining("not exist");
  }

  @Test
  void deletingIsIdempotent() {
    String prefix = newPrefix();
    URI kept = await(store.put(prefix, randomBytes(7)));
    URI location = await(store.put(prefix, randomBytes(7)));

    await(store.delete(location));
    await(store.delete(location));

    failure(store.get(location, MB));
    assertThat(await(store.get(kept, MB))).hasSize(7);
  }

  @Test
  void aReferenceOfAnotherSchemeOrOutsideTheRootIsRefused() {
    URI inside = await(store.put(newPrefix(), randomBytes(3)));
    List<URI> foreign = new ArrayList<>(referencesOutsideRoot());
    foreign.add(URI.create("other" + inside.toString().substring(inside.getScheme().length())));
    foreign.add(URI.create("https://example.org/x"));
    assertThat(foreign).hasSizeGreaterThan(2);
    for (URI reference : foreign) {
      assertThat(failure(store.get(reference, MB))).as("get %s", reference)
          .hasMessageContaining(reference.toString()).hasMessageContaining("refusing");
      assertThat(failure(store.delete(reference))).as("delete %s", reference)
          .hasMessageContaining(reference.toString()).hasMessageContaining("refusing");
    }
    assertThat(await(store.get(inside, MB))).hasSize(3);
  }

  @Test
  void concurrentPutsAllLand() throws Exception {
    String prefix = newPrefix();
    int threads = 8;
    int each = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<byte[]>>> puts = new ArrayList<>();
      List<List<URI>> where = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<URI> mine = new ArrayList<>();
        where.add(mine);
        int thread = t;
        puts.add(pool.submit(() -> {
          List<byte[]> written = new ArrayList<>();
          for (int i = 0; i < each; i++) {
            byte[] bytes = ("thread " + thread + " object " + i + " " + "x".repeat(1000 * i)).getBytes();
            mine.add(await(store.put(prefix, bytes)));
            written.add(bytes);
          }
          return written;
        }));
      }
      Set<URI> all = new HashSet<>();
      for (int t = 0; t < threads; t++) {
        List<byte[]> written = puts.get(t).get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (int i = 0; i < each; i++) {
          URI location = where.get(t).get(i);
          all.add(location);
          assertThat(await(store.get(location, MB))).isEqualTo(written.get(i));
        }
      }
      assertThat(all).hasSize(threads * each);
    } finally {
      pool.shutdownNow();
    }
  }
}
