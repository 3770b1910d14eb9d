package dev.shoal.aws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.async.SdkAsyncHttpResponseHandler;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The SDK's asynchronous HTTP SPI on the JDK's own {@link HttpClient} (HTTP/1.1, plain or TLS).
 * Chosen with {@code httpClient=jdk}: a probe suggested fewer thread hops per small SQS request
 * than the SDK's Netty client, but side by side on the queue bench Netty was faster
 * (bench/RESULTS.md, issue 12), so Netty stays the default and this client a choice.
 *
 * <p>Bodies are buffered whole, both ways: an SQS request or response is at most about 1 MiB, so
 * streaming would buy nothing. Response callbacks run on this client's own cached daemon threads,
 * never on the selector, so a caller that blocks in a callback costs a thread, not the I/O.
 */
final class JdkAsyncHttpClient implements SdkAsyncHttpClient {
  // Headers the JDK sets itself and refuses from callers; it derives the same Host from the URI the
  // SDK signed, and the length from the buffered body.
  private static final Set<String> SET_BY_JDK = Set.of("host", "content-length", "connection", "expect", "upgrade");

  private final ExecutorService callbacks;
  private final HttpClient http;
  private final Duration requestTimeout;

  private JdkAsyncHttpClient(Duration connectTimeout, Duration requestTimeout) {
    AtomicInteger threads = new AtomicInteger();
    this.callbacks = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "shoal-sqs-http-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .executor(callbacks)
        .build();
    this.requestTimeout = requestTimeout;
  }

  /** A builder the SDK builds from and then owns: closing the SDK client closes this one. */
  static SdkAsyncHttpClient.Builder<?> builder(Duration connectTimeout, Duration requestTimeout) {
    return new Builder(connectTimeout, requestTimeout);
  }

  @Override
  public CompletableFuture<Void> execute(AsyncExecuteRequest request) {
    SdkAsyncHttpResponseHandler handler = request.responseHandler();
    CompletableFuture<Void> delivered = new CompletableFuture<>();
    CompletableFuture<HttpResponse<byte[]>> exchange = bodyOf(request.requestContentPublisher())
        .thenCompose(body -> http.sendAsync(toJdk(request.request(), body), HttpResponse.BodyHandlers.ofByteArray()));
    exchange.whenComplete((response, error) -> {
      if (error != null) {
        Throwable cause = described(request.request(),
            error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
        handler.onError(cause);
        delivered.completeExceptionally(cause);
        return;
      }
      handler.onHeaders(SdkHttpFullResponse.builder()
          .statusCode(response.statusCode())
          .headers(response.headers().map())
          .build());
      handler.onStream(new SingleBufferPublisher(ByteBuffer.wrap(response.body()), delivered));
    });
    // The SDK cancels this future on its API call timeout: give up the exchange too.
    delivered.whenComplete((ignored, error) -> {
      if (delivered.isCancelled()) {
        exchange.cancel(true);
      }
    });
    return delivered;
  }

  /**
   * The JDK reports a refused connection as a {@code ClosedChannelException} with no message; the
   * user would read "null". Still an {@link IOException}, so the SDK's retries treat it as before.
   */
  private static Throwable described(SdkHttpRequest request, Throwable error) {
    if (!(error instanceof IOException)) {
      return error;
    }
    String detail = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return new IOException("HTTP " + request.method() + " to " + request.host() + ":" + request.port() + " failed: "
        + detail, error);
  }

  private HttpRequest toJdk(SdkHttpRequest request, byte[] body) {
    HttpRequest.BodyPublisher content = body.length == 0
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
    HttpRequest.Builder builder = HttpRequest.newBuilder(request.getUri())
        .timeout(requestTimeout)
        .method(request.method().name(), content);
    request.forEachHeader((name, values) -> {
      if (!SET_BY_JDK.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(value -> builder.header(name, value));
      }
    });
    return builder.build();
  }

  private static CompletableFuture<byte[]> bodyOf(Publisher<ByteBuffer> publisher) {
    CompletableFuture<byte[]> bytes = new CompletableFuture<>();
    if (publisher == null) {
      bytes.complete(new byte[0]);
      return bytes;
    }
    publisher.subscribe(new Subscriber<ByteBuffer>() {
      private final ByteArrayOutputStream out = new ByteArrayOutputStream();

      @Override
      public void onSubscribe(Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(ByteBuffer buffer) {
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        out.write(chunk, 0, chunk.length);
      }

      @Override
      public void onError(Throwable error) {
        bytes.completeExceptionally(error);
      }

      @Override
      public void onComplete() {
        bytes.complete(out.toByteArray());
      }
    });
    return bytes;
  }

  @Override
  public void close() {
    // Java 17's HttpClient has no close: its selector thread ends once the client is unreachable.
    // Ending the callback threads fails whatever is still in flight, as closing a client should.
    callbacks.shutdownNow();
  }

  @Override
  public String clientName() {
    return "ShoalJdk";
  }

  private record Builder(Duration connectTimeout, Duration requestTimeout)
      implements SdkAsyncHttpClient.Builder<Builder> {
    @Override
    public SdkAsyncHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
      return new JdkAsyncHttpClient(connectTimeout, requestTimeout);
    }
  }

  /** A whole response body as one buffer, to a subscriber that may ask in any amounts. */
  private static final class SingleBufferPublisher implements Publisher<ByteBuffer> {
    private final ByteBuffer body;
    private final CompletableFuture<Void> delivered;

    SingleBufferPublisher(ByteBuffer body, CompletableFuture<Void> delivered) {
      this.body = body;
      this.delivered = delivered;
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
      subscriber.onSubscribe(new Subscription() {
        private boolean finished;

        @Override
        public synchronized void request(long n) {
          if (finished) {
            return;
          }
          finished = true; // before onNext, whose subscriber may ask again from inside it
          if (n <= 0) {
            subscriber.onError(new IllegalArgumentException("reactive streams rule 3.9: request " + n));
          } else {
            if (body.hasRemaining()) {
              subscriber.onNext(body);
            }
            subscriber.onComplete();
          }
          delivered.complete(null);
        }

        @Override
        public synchronized void cancel() {
          finished = true;
          delivered.complete(null);
        }
      });
    }
  }
}
