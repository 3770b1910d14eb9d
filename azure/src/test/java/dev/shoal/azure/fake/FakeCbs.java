package dev.shoal.azure.fake;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.message.Message;

/**
 * The claims-based security node ({@code $cbs}): answers put-token requests, checking a shared
 * access signature against the namespace's key (its HMAC-SHA256 over the URL-encoded audience and
 * expiry) and remembering, per connection, which audiences were authorized, so that links to
 * entities nobody put a token for are refused as the service refuses them. JSON web tokens
 * (Microsoft Entra ID) are taken without checking: the fake has no identity provider.
 */
final class FakeCbs {
  static final String ADDRESS = "$cbs";
  private static final String SAS_TYPE = "servicebus.windows.net:sastoken";
  private static final String JWT_TYPE = "jwt";

  private final String keyName;
  private final String key;
  private final Clock clock;

  FakeCbs(String keyName, String key, Clock clock) {
    this.keyName = keyName;
    this.key = key;
    this.clock = clock;
  }

  /** The answer to one request; a valid token's audience is added to {@code authorized}. */
  Message answer(Message request, Set<String> authorized) {
    Map<String, Object> properties = request.getApplicationProperties() == null ? Map.of()
        : request.getApplicationProperties().getValue();
    if (!"put-token".equals(properties.get("operation"))) {
      return response(400, "unknown operation " + properties.get("operation"));
    }
    String type = String.valueOf(properties.get("type"));
    String audience = String.valueOf(properties.get("name"));
    Object token = request.getBody() instanceof AmqpValue value ? value.getValue() : null;
    if (!(token instanceof String text)) {
      return response(400, "the token must be a string");
    }
    if (SAS_TYPE.equals(type)) {
      String problem = sasProblem(text, audience);
      if (problem != null) {
        return response(401, problem);
      }
    } else if (!JWT_TYPE.equals(type)) {
      return response(400, "unknown token type " + type);
    }
    authorized.add(audience);
    return response(202, "Accepted");
  }

  /** Whether a token for one of these audiences covers the entity (its path, or a path above it). */
  static boolean covers(Set<String> audiences, String entityPath) {
    String entity = entityPath.toLowerCase(java.util.Locale.ROOT);
    for (String audience : audiences) {
      String path = URI.create(audience).getPath();
      path = path == null ? "" : path.replaceAll("^/+|/+$", "").toLowerCase(java.util.Locale.ROOT);
      if (path.isEmpty() || entity.equals(path) || entity.startsWith(path + "/")) {
        return true;
      }
    }
    return false;
  }

  private String sasProblem(String token, String audience) {
    String prefix = "SharedAccessSignature ";
    if (!token.startsWith(prefix)) {
      return "not a shared access signature";
    }
    Map<String, String> fields = new HashMap<>();
    for (String pair : token.substring(prefix.length()).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    String resource = fields.get("sr");
    String expiry = fields.get("se");
    String signature = fields.get("sig");
    if (resource == null || expiry == null || signature == null || !keyName.equals(fields.get("skn"))) {
      return "malformed signature or unknown key name " + fields.get("skn");
    }
    if (Long.parseLong(expiry) < clock.instant().getEpochSecond()) {
      return "the token expired";
    }
    String expected = URLEncoder.encode(sign(resource + "\n" + expiry), StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8))) {
      return "InvalidSignature: the token has an invalid signature";
    }
    String signedFor = URLDecoder.decode(resource, StandardCharsets.UTF_8);
    if (!covers(Set.of(signedFor), URI.create(audience).getPath().replaceAll("^/+", ""))) {
      return "the token is for " + signedFor + ", not " + audience;
    }
    return null;
  }

  private String sign(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Message response(int status, String description) {
    Message response = Proton.message();
    Map<String, Object> properties = new HashMap<>();
    properties.put("status-code", status);
    properties.put("status-description", description);
    response.setApplicationProperties(new ApplicationProperties(properties));
    return response;
  }
}
