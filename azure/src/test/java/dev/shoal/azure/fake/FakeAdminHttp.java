package dev.shoal.azure.fake;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The namespace's administration endpoint: the ATOM-over-HTTP API that
 * {@code ServiceBusAdministrationClient} speaks, for queues only. {@code PUT /<queue>} creates
 * (201, or 409 if it exists) or, with {@code If-Match: *}, updates (200, or 404); {@code GET
 * /<queue>} returns the description with its runtime counts (or 404); {@code DELETE /<queue>}
 * deletes it (or 404); {@code GET /$Resources/queues?$skip=N&$top=M} lists the queues as a feed of
 * such entries, with a {@code next} link while more remain. Plain HTTP on loopback: the SDK's requests reach it through a pipeline
 * policy that rewrites their URL, as they would reach the emulator's management port. Requests are
 * not authenticated.
 */
final class FakeAdminHttp implements AutoCloseable {
  static final String ATOM = "http://www.w3.org/2005/Atom";
  static final String CONNECT = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";
  static final String COUNTS = "http://schemas.microsoft.com/netservices/2011/06/servicebus";

  private final HttpServer server;
  private final FakeNamespace namespace;
  private final ScheduledExecutorService loop;
  private final FakeOperations operations;

  FakeAdminHttp(FakeNamespace namespace, ScheduledExecutorService loop, FakeOperations operations) throws IOException {
    this.namespace = namespace;
    this.loop = loop;
    this.operations = operations;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private record Reply(int status, String body) {}

  private void handle(HttpExchange exchange) throws IOException {
    Reply reply;
    try (exchange) {
      try {
        String path = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
        String name = path.replaceAll("^/+|/+$", "");
        byte[] body = exchange.getRequestBody().readAllBytes();
        String host = exchange.getRequestHeaders().getFirst("Host");
        operations.count("admin." + exchange.getRequestMethod());
        reply = switch (exchange.getRequestMethod()) {
          case "PUT" -> put(name, body, exchange.getRequestHeaders().getFirst("If-Match") != null, host);
          case "GET" -> name.equalsIgnoreCase("$Resources/queues")
              ? onLoop(() -> new Reply(200, feed(exchange.getRequestURI(), host)))
              : onLoop(() -> {
            FakeQueue queue = namespace.queue(name);
            return queue == null ? notFound(name) : new Reply(200, entry(queue, host));
          });
          case "DELETE" -> onLoop(() -> namespace.delete(name) ? new Reply(200, "") : notFound(name));
          default -> error(405, "method not allowed");
        };
      } catch (RuntimeException e) {
        reply = error(400, e.getMessage());
      }
      byte[] bytes = reply.body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/atom+xml;type=entry;charset=utf-8");
      exchange.sendResponseHeaders(reply.status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  private Reply put(String name, byte[] body, boolean update, String host) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._/-]{0,259}") || name.endsWith("-") || name.contains("$")) {
      return error(400, "Invalid entity name '" + name + "'");
    }
    Element description = queueDescription(body);
    return onLoop(() -> {
      FakeQueue existing = namespace.queue(name);
      FakeQueue.Settings settings = settings(description, existing == null ? FakeQueue.Settings.defaults()
          : existing.settings());
      String problem = settings.problem();
      if (problem != null) {
        return error(400, problem);
      }
      if (update) {
        if (existing == null) {
          return notFound(name);
        }
        existing.update(settings);
        return new Reply(200, entry(existing, host));
      }
      FakeQueue created = namespace.create(name, settings);
      return created == null
          ? error(409, "The messaging entity '" + name + "' already exists.")
          : new Reply(201, entry(created, host));
    });
  }

  private Reply onLoop(Callable<Reply> action) {
    try {
      return CompletableFuture.supplyAsync(() -> {
        try {
          return action.call();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, loop).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(503, "interrupted");
    } catch (ExecutionException | TimeoutException e) {
      return error(500, String.valueOf(e.getCause() == null ? e : e.getCause()));
    }
  }

  private static Element queueDescription(byte[] body) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document document = factory.newDocumentBuilder().parse(new ByteArrayInputStream(body));
      Node node = document.getElementsByTagNameNS(CONNECT, "QueueDescription").item(0);
      if (node == null) {
        throw new IllegalArgumentException("the entry holds no QueueDescription");
      }
      return (Element) node;
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new IllegalArgumentException("unreadable entry: " + e.getMessage(), e);
    }
  }

  /** The settings a description gives, the others as they were. */
  private static FakeQueue.Settings settings(Element description, FakeQueue.Settings base) {
    Function<String, String> text = name -> {
      Node node = description.getElementsByTagNameNS(CONNECT, name).item(0);
      return node == null ? null : node.getTextContent().trim();
    };
    return new FakeQueue.Settings(
        duration(text.apply("LockDuration"), base.lockDuration()),
        text.apply("MaxDeliveryCount") == null ? base.maxDeliveryCount()
            : Integer.parseInt(text.apply("MaxDeliveryCount")),
        duration(text.apply("DefaultMessageTimeToLive"), base.defaultMessageTimeToLive()),
        bool(text.apply("DeadLetteringOnMessageExpiration"), base.deadLetteringOnMessageExpiration()),
        duration(text.apply("AutoDeleteOnIdle"), base.autoDeleteOnIdle()),
        bool(text.apply("RequiresSession"), base.requiresSession()),
        bool(text.apply("EnablePartitioning"), base.enablePartitioning()),
        text.apply("MaxSizeInMegabytes") == null ? base.maxSizeInMegabytes()
            : Long.parseLong(text.apply("MaxSizeInMegabytes")),
        text.apply("UserMetadata") == null ? base.userMetadata() : text.apply("UserMetadata"));
  }

  private static Duration duration(String text, Duration otherwise) {
    return text == null || text.isEmpty() ? otherwise : Duration.parse(text);
  }

  private static boolean bool(String text, boolean otherwise) {
    return text == null || text.isEmpty() ? otherwise : Boolean.parseBoolean(text);
  }

  private static Reply notFound(String name) {
    return error(404, "The messaging entity '" + name + "' could not be found.");
  }

  private static Reply error(int status, String detail) {
    return new Reply(status, "<Error><Code>" + status + "</Code><Detail>" + escape(detail) + "</Detail></Error>");
  }

  /** One page of the namespace's queues: {@code $skip} and {@code $top} as the SDK pages them. */
  private String feed(URI request, String host) {
    java.util.Map<String, String> query = new java.util.HashMap<>();
    String raw = request.getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    int skip = Integer.parseInt(query.getOrDefault("$skip", "0"));
    int top = Integer.parseInt(query.getOrDefault("$top", "100"));
    java.util.List<FakeQueue> all = namespace.queues();
    String base = "https://" + (host == null ? "localhost" : host) + "/$Resources/queues";
    StringBuilder xml = new StringBuilder("<feed xmlns=\"").append(ATOM).append("\">")
        .append("<title type=\"text\">Queues</title>")
        .append("<id>").append(escape(base)).append("</id>")
        .append("<updated>").append(time(java.time.Instant.now())).append("</updated>")
        .append("<link rel=\"self\" href=\"").append(escape(base + "?$skip=" + skip + "&$top=" + top))
        .append("\"/>");
    if (skip + top < all.size()) {
      xml.append("<link rel=\"next\" href=\"").append(escape(base + "?$skip=" + (skip + top) + "&$top=" + top))
          .append("\"/>");
    }
    for (FakeQueue queue : all.subList(Math.min(skip, all.size()), Math.min(skip + top, all.size()))) {
      xml.append(entry(queue, host));
    }
    return xml.append("</feed>").toString();
  }

  /** A queue's entry, shaped like the service's (its element order is the service's). */
  private static String entry(FakeQueue queue, String host) {
    FakeQueue.Settings s = queue.settings();
    String self = "https://" + (host == null ? "localhost" : host) + "/" + queue.name() + "?api-version=2021-05";
    long active = queue.active().activeCount();
    long dead = queue.deadLetters().activeCount();
    StringBuilder xml = new StringBuilder()
        .append("<entry xmlns=\"").append(ATOM).append("\">")
        .append("<id>").append(escape(self)).append("</id>")
        .append("<title type=\"text\">").append(escape(queue.name())).append("</title>")
        .append("<published>").append(time(queue.createdAt())).append("</published>")
        .append("<updated>").append(time(queue.updatedAt())).append("</updated>")
        .append("<author><name>fake</name></author>")
        .append("<link rel=\"self\" href=\"").append(escape(self)).append("\"/>")
        .append("<content type=\"application/xml\">")
        .append("<QueueDescription xmlns=\"").append(CONNECT)
        .append("\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">")
        .append(element("LockDuration", s.lockDuration()))
        .append(element("MaxSizeInMegabytes", s.maxSizeInMegabytes()))
        .append(element("RequiresDuplicateDetection", false))
        .append(element("RequiresSession", s.requiresSession()))
        .append(element("DefaultMessageTimeToLive", s.defaultMessageTimeToLive()))
        .append(element("DeadLetteringOnMessageExpiration", s.deadLetteringOnMessageExpiration()))
        .append(element("DuplicateDetectionHistoryTimeWindow", Duration.ofMinutes(10)))
        .append(element("MaxDeliveryCount", s.maxDeliveryCount()))
        .append(element("EnableBatchedOperations", true))
        .append(element("SizeInBytes", 0))
        .append(element("MessageCount", active + dead))
        .append(element("IsAnonymousAccessible", false))
        .append("<AuthorizationRules/>")
        .append(element("Status", "Active"));
    if (s.userMetadata() != null) {
      xml.append(element("UserMetadata", s.userMetadata()));
    }
    return xml
        .append("<CreatedAt>").append(time(queue.createdAt())).append("</CreatedAt>")
        .append("<UpdatedAt>").append(time(queue.updatedAt())).append("</UpdatedAt>")
        .append("<AccessedAt>").append(time(queue.accessedAt())).append("</AccessedAt>")
        .append(element("SupportOrdering", true))
        .append("<CountDetails xmlns:d2p1=\"").append(COUNTS).append("\">")
        .append("<d2p1:ActiveMessageCount>").append(active).append("</d2p1:ActiveMessageCount>")
        .append("<d2p1:DeadLetterMessageCount>").append(dead).append("</d2p1:DeadLetterMessageCount>")
        .append("<d2p1:ScheduledMessageCount>0</d2p1:ScheduledMessageCount>")
        .append("<d2p1:TransferMessageCount>0</d2p1:TransferMessageCount>")
        .append("<d2p1:TransferDeadLetterMessageCount>0</d2p1:TransferDeadLetterMessageCount>")
        .append("</CountDetails>")
        .append(element("AutoDeleteOnIdle", s.autoDeleteOnIdle()))
        .append(element("EnablePartitioning", s.enablePartitioning()))
        .append(element("EntityAvailabilityStatus", "Available"))
        .append(element("EnableExpress", false))
        .append("</QueueDescription></content></entry>")
        .toString();
  }

  private static String element(String name, Object value) {
    return "<" + name + ">" + escape(String.valueOf(value)) + "</" + name + ">";
  }

  private static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
