package dev.shoal.azure.dispatcher;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the Functions worker hands a Java function, made in memory: an {@link ExecutionContext}
 * whose logger keeps its lines, and an HTTP request whose response builder makes plain values.
 */
final class FunctionsInvocation implements ExecutionContext {
  private final String functionName;
  private final String invocationId = UUID.randomUUID().toString();
  private final Logger logger;
  private final List<String> lines = new ArrayList<>();

  FunctionsInvocation(String functionName) {
    this.functionName = functionName;
    this.logger = Logger.getLogger("test.function." + functionName + "." + invocationId);
    logger.setUseParentHandlers(false);
    logger.setLevel(Level.ALL);
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        synchronized (lines) {
          lines.add(record.getLevel() + " " + record.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
  }

  @Override
  public Logger getLogger() {
    return logger;
  }

  @Override
  public String getInvocationId() {
    return invocationId;
  }

  @Override
  public String getFunctionName() {
    return functionName;
  }

  /** The lines logged through {@link #getLogger()}, each as "LEVEL message". */
  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** A POST to the function with this body (null: none). */
  static HttpRequestMessage<Optional<String>> post(String body, Map<String, String> headers) {
    return new Request(URI.create("http://localhost/api/nudge"), HttpMethod.POST, new TreeMap<>(headers),
        Optional.ofNullable(body));
  }

  record Request(URI uri, HttpMethod method, Map<String, String> headers, Optional<String> body)
      implements HttpRequestMessage<Optional<String>> {

    @Override
    public URI getUri() {
      return uri;
    }

    @Override
    public HttpMethod getHttpMethod() {
      return method;
    }

    @Override
    public Map<String, String> getHeaders() {
      return headers;
    }

    @Override
    public Map<String, String> getQueryParameters() {
      return Map.of();
    }

    @Override
    public Optional<String> getBody() {
      return body;
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
      return new ResponseBuilder(status);
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
      return new ResponseBuilder(status);
    }
  }

  record Response(HttpStatusType status, Map<String, String> headers, Object body) implements HttpResponseMessage {
    @Override
    public HttpStatusType getStatus() {
      return status;
    }

    @Override
    public String getHeader(String name) {
      return headers.get(name);
    }

    @Override
    public Object getBody() {
      return body;
    }
  }

  static final class ResponseBuilder implements HttpResponseMessage.Builder {
    private HttpStatusType status;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private Object body;

    ResponseBuilder(HttpStatusType status) {
      this.status = status;
    }

    @Override
    public HttpResponseMessage.Builder status(HttpStatusType status) {
      this.status = status;
      return this;
    }

    @Override
    public HttpResponseMessage.Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    @Override
    public HttpResponseMessage.Builder body(Object body) {
      this.body = body;
      return this;
    }

    @Override
    public HttpResponseMessage build() {
      TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      copy.putAll(headers);
      return new Response(status, copy, body);
    }
  }
}
