package dev.shoal.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * An HTTP proxy on loopback in front of an SQS endpoint that counts every request it forwards, by
 * action: whoever is pointed at it (this JVM, worker JVMs started with its address) is counted, with
 * no hook in their code. The action is the {@code X-Amz-Target} header of SQS's JSON protocol
 * ({@code AmazonSQS.ReceiveMessage}), else the {@code Action=} parameter of the query protocol.
 *
 * <p>Besides requests it counts what SQS bills: each 64 KiB chunk of a request's payload is one
 * billed request (a request with a smaller payload, or none, is one). The payload is taken as the
 * message bodies a request carries (SendMessage, SendMessageBatch) or a response returns
 * (ReceiveMessage), plus their message attributes' names and values; the JSON around them is not
 * counted. It also counts receives that returned no message. Payloads, queues and empty receives
 * are read from the JSON protocol only (the AWS SDK for Java 2 speaks it to SQS); a query-protocol
 * request is counted by its action alone, as one billed request.
 */
final class CountingSqsProxy implements AutoCloseable {
  static final int BILLING_CHUNK_BYTES = 64 * 1024;
  /** Headers the JDK's client sets itself and refuses to be given. */
  private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length", "expect", "upgrade",
      "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection");

  private final URI target;
  private final HttpServer server;
  private final ExecutorService threads;
  private final HttpClient client;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> billed = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> byQueue = new ConcurrentHashMap<>();
  private final LongAdder emptyReceives = new LongAdder();
  private final LongAdder messagesReceived = new LongAdder();
  private final LongAdder payloadBytes = new LongAdder();
  private final LongAdder failures = new LongAdder();

  private CountingSqsProxy(URI target) throws IOException {
    this.target = target;
    // A thread per open request: long polls hold theirs for up to 20 s.
    this.threads = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "counting-sqs-proxy");
      thread.setDaemon(true);
      return thread;
    });
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(threads).build();
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::forward);
    server.start();
  }

  /** Starts a proxy to {@code target} on a free loopback port. */
  static CountingSqsProxy start(URI target) throws IOException {
    return new CountingSqsProxy(target);
  }

  /** The endpoint to give SQS clients instead of the target's. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** What was counted so far. */
  Counts counts() {
    return new Counts(snapshot(requests), snapshot(billed), snapshot(byQueue), emptyReceives.sum(),
        messagesReceived.sum(), payloadBytes.sum(), failures.sum());
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
    Map<String, Long> copy = new TreeMap<>();
    counters.forEach((action, count) -> copy.put(action, count.sum()));
    return copy;
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      String action = action(exchange, body);
      // The JSON protocol names its action in this header; the query protocol's XML is not read.
      boolean jsonProtocol = exchange.getRequestHeaders().getFirst("X-Amz-Target") != null;
      arrived(action, jsonProtocol ? body : new byte[0]);
      HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
          .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
      exchange.getRequestHeaders().forEach((name, values) -> {
        if (!HOP_HEADERS.contains(name.toLowerCase())) {
          values.forEach(value -> request.header(name, value));
        }
      });
      HttpResponse<byte[]> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.increment();
        exchange.sendResponseHeaders(502, -1);
        return;
      } catch (IOException e) {
        failures.increment();
        exchange.sendResponseHeaders(502, -1);
        return;
      }
      if (jsonProtocol) {
        answered(action, response);
      }
      response.headers().map().forEach((name, values) -> {
        if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
          exchange.getResponseHeaders().put(name, List.copyOf(values));
        }
      });
      byte[] answer = response.body();
      exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      }
    }
  }

  private static String action(HttpExchange exchange, byte[] body) {
    String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
    if (target != null) {
      return target.substring(target.lastIndexOf('.') + 1);
    }
    String form = exchange.getRequestURI().getRawQuery();
    form = (form == null ? "" : form + "&") + new String(body, StandardCharsets.UTF_8);
    for (String pair : form.split("&")) {
      if (pair.startsWith("Action=")) {
        return URLDecoder.decode(pair.substring("Action=".length()), StandardCharsets.UTF_8);
      }
    }
    return "(unknown)";
  }

  /**
   * Counts a request as it arrives, so that a long poll still open when a round ends counts in that
   * round; what only its answer tells (a receive's messages) is added when the answer comes.
   */
  private void arrived(String action, byte[] jsonBody) {
    requests.computeIfAbsent(action, a -> new LongAdder()).increment();
    long payload = 0;
    if (jsonBody.length > 0) {
      try {
        JsonNode request = json.readTree(jsonBody);
        String queueUrl = request.path("QueueUrl").asText("");
        if (!queueUrl.isEmpty()) {
          String queue = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
          byQueue.computeIfAbsent(action + " " + queue, a -> new LongAdder()).increment();
        }
        if (action.equals("SendMessage")) {
          payload = messageBytes(request, "MessageBody");
        } else if (action.equals("SendMessageBatch")) {
          for (JsonNode entry : request.path("Entries")) {
            payload += messageBytes(entry, "MessageBody");
          }
        }
      } catch (IOException e) {
        failures.increment();
      }
    }
    payloadBytes.add(payload);
    billed.computeIfAbsent(action, a -> new LongAdder()).add(chunks(payload));
  }

  private void answered(String action, HttpResponse<byte[]> response) {
    if (!action.equals("ReceiveMessage") || response.statusCode() != 200) {
      return;
    }
    long payload = 0;
    try {
      JsonNode messages = json.readTree(response.body()).path("Messages");
      if (messages.isEmpty()) {
        emptyReceives.increment();
      }
      for (JsonNode message : messages) {
        messagesReceived.increment();
        payload += messageBytes(message, "Body");
      }
    } catch (IOException e) {
      failures.increment();
    }
    payloadBytes.add(payload);
    // One billed request was counted on arrival.
    billed.computeIfAbsent(action, a -> new LongAdder()).add(chunks(payload) - 1);
  }

  /** What SQS bills for a request with this payload: a request for each 64 KiB begun, at least one. */
  static long chunks(long payload) {
    return Math.max(1, (payload + BILLING_CHUNK_BYTES - 1) / BILLING_CHUNK_BYTES);
  }

  /** The body's UTF-8 bytes plus each message attribute's name and value. */
  private static long messageBytes(JsonNode message, String bodyField) {
    long bytes = message.path(bodyField).asText("").getBytes(StandardCharsets.UTF_8).length;
    var attributes = message.path("MessageAttributes").fields();
    while (attributes.hasNext()) {
      var attribute = attributes.next();
      bytes += attribute.getKey().getBytes(StandardCharsets.UTF_8).length;
      JsonNode value = attribute.getValue();
      bytes += value.path("DataType").asText("").length() + value.path("StringValue").asText("").length()
          + value.path("BinaryValue").asText("").length();
    }
    return bytes;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  /**
   * Requests by action, what SQS would bill for them by action, requests by action and queue name
   * ({@code "SendMessageBatch shoal-tasks"}, for the requests that name a queue), receives that returned nothing,
   * messages received, message payload bytes moved, and requests the proxy could not forward or read.
   */
  record Counts(Map<String, Long> requests, Map<String, Long> billed, Map<String, Long> byQueue, long emptyReceives,
      long messagesReceived, long payloadBytes, long failures) {

    long totalRequests() {
      return requests.values().stream().mapToLong(Long::longValue).sum();
    }

    long totalBilled() {
      return billed.values().stream().mapToLong(Long::longValue).sum();
    }

    /** What was counted after {@code earlier}. */
    Counts minus(Counts earlier) {
      return new Counts(subtract(requests, earlier.requests), subtract(billed, earlier.billed),
          subtract(byQueue, earlier.byQueue), emptyReceives - earlier.emptyReceives, messagesReceived - earlier.messagesReceived,
          payloadBytes - earlier.payloadBytes, failures - earlier.failures);
    }

    private static Map<String, Long> subtract(Map<String, Long> later, Map<String, Long> earlier) {
      Map<String, Long> difference = new TreeMap<>();
      later.forEach((action, count) -> {
        long delta = count - earlier.getOrDefault(action, 0L);
        if (delta != 0) {
          difference.put(action, delta);
        }
      });
      return difference;
    }
  }
}
