package dev.shoal.dashboard;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A request's path segments and query parameters, percent-decoded. Decoded by segment, so that a
 * run id holding an encoded {@code /} stays one segment; malformed escapes are a bad request.
 */
record RequestTarget(List<String> segments, Map<String, String> parameters) {

  static RequestTarget of(URI uri) {
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    List<String> segments = new ArrayList<>();
    for (String raw : path.split("/", -1)) {
      if (!raw.isEmpty()) {
        segments.add(decode(raw, false));
      }
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int equals = pair.indexOf('=');
        String name = decode(equals < 0 ? pair : pair.substring(0, equals), true);
        String value = equals < 0 ? "" : decode(pair.substring(equals + 1), true);
        parameters.put(name, value);
      }
    }
    return new RequestTarget(List.copyOf(segments), parameters);
  }

  /** The parameter, if given and not blank: an empty filter field means no filter. */
  Optional<String> parameter(String name) {
    String value = parameters.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  /** A whole number within bounds, or the default when absent. */
  int intParameter(String name, int defaultValue, int min, int max) {
    Optional<String> value = parameter(name);
    if (value.isEmpty()) {
      return defaultValue;
    }
    int number;
    try {
      number = Integer.parseInt(value.get().trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + " must be a whole number: '" + value.get() + "'");
    }
    if (number < min || number > max) {
      throw ApiException.badRequest(name + " must be between " + min + " and " + max + ": " + number);
    }
    return number;
  }

  static String decode(String raw, boolean plusIsSpace) {
    if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw ApiException.badRequest("malformed percent-escape in '" + raw + "'");
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          throw ApiException.badRequest("malformed percent-escape in '" + raw + "'");
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest("percent-escapes that are not UTF-8 in '" + raw + "'");
    }
  }
}
