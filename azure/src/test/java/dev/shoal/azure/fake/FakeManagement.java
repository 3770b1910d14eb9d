package dev.shoal.azure.fake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.message.Message;

/**
 * An entity's management node ({@code <entity>/$management}): {@code com.microsoft:renew-lock}
 * and {@code com.microsoft:peek-message}. Other operations (schedule, defer, sessions, rules,
 * disposition by lock token) are answered "not implemented".
 */
final class FakeManagement {
  static final String SUFFIX = "/$management";
  static final String RENEW_LOCK = "com.microsoft:renew-lock";
  static final String PEEK = "com.microsoft:peek-message";

  private final FakeNamespace namespace;
  private final FakeOperations operations;

  FakeManagement(FakeNamespace namespace, FakeOperations operations) {
    this.namespace = namespace;
    this.operations = operations;
  }

  Message answer(String entityPath, Message request) {
    FakeMessageStore store = namespace.store(entityPath);
    if (store == null) {
      return response(404, "amqp:not-found", "The messaging entity '" + entityPath + "' could not be found.", null);
    }
    Map<String, Object> properties = request.getApplicationProperties() == null ? Map.of()
        : request.getApplicationProperties().getValue();
    Object operation = properties.get("operation");
    operations.count("management." + operation);
    Map<?, ?> body = request.getBody() instanceof AmqpValue value && value.getValue() instanceof Map<?, ?> map
        ? map : Map.of();
    if (RENEW_LOCK.equals(operation)) {
      return renewLock(store, body);
    }
    if (PEEK.equals(operation)) {
      return peek(store, body);
    }
    return response(501, "amqp:not-implemented", "the fake does not implement " + operation, null);
  }

  private static Message renewLock(FakeMessageStore store, Map<?, ?> body) {
    if (!(body.get("lock-tokens") instanceof UUID[] tokens)) {
      return response(400, "amqp:invalid-field", "lock-tokens must be an array of uuid", null);
    }
    Date[] expirations = new Date[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      Instant until = store.renew(tokens[i]);
      if (until == null) {
        return response(410, "com.microsoft:message-lock-lost", "The lock supplied is invalid. Either the lock"
            + " expired, or the message has already been removed from the queue. Reference:" + tokens[i], null);
      }
      expirations[i] = Date.from(until);
    }
    return response(200, null, "OK", Map.of("expirations", expirations));
  }

  private static Message peek(FakeMessageStore store, Map<?, ?> body) {
    long from = body.get("from-sequence-number") instanceof Number n ? n.longValue() : 1;
    int count = body.get("message-count") instanceof Number n ? n.intValue() : 1;
    List<FakeMessage> peeked = store.peek(from, count);
    if (peeked.isEmpty()) {
      return response(204, null, "No messages", null);
    }
    List<Map<String, Object>> messages = new ArrayList<>();
    for (FakeMessage message : peeked) {
      messages.add(Map.of("message", new Binary(message.encodeForDelivery(null))));
    }
    return response(200, null, "OK", Map.of("messages", messages));
  }

  private static Message response(int status, String condition, String description, Map<String, Object> body) {
    Message response = Proton.message();
    Map<String, Object> properties = new HashMap<>();
    properties.put("statusCode", status);
    properties.put("statusDescription", description);
    if (condition != null) {
      properties.put("errorCondition", condition);
    }
    response.setApplicationProperties(new ApplicationProperties(properties));
    if (body != null) {
      response.setBody(new AmqpValue(body));
    }
    return response;
  }
}
