package dev.shoal.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text forms a configuration accepts for durations, sizes, whole numbers and switches. Each
 * throws an {@link IllegalArgumentException} whose message says what was wrong and what would do,
 * for the caller to prefix with the key and where it came from.
 */
final class Values {
  private Values() {}

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]i?b|b)?", Pattern.CASE_INSENSITIVE);
  static final String DURATION_FORMS = "use 500ms, 10s, 5m, 1h, 2d, combined as 1m30s, or ISO-8601 such as PT10S";

  /** {@code 500ms}, {@code 10s}, {@code 1m30s}, {@code 0}, or ISO-8601 ({@code PT10S}, {@code P1D}); never negative. */
  static Duration duration(String text) {
    String value = text.strip();
    if (value.isEmpty()) {
      throw new IllegalArgumentException("an empty value is not a duration (" + DURATION_FORMS + ")");
    }
    if (value.startsWith("-")) {
      throw new IllegalArgumentException("'" + value + "' is negative: a duration here must be 0 or more");
    }
    if (value.equals("0")) {
      return Duration.ZERO;
    }
    if (value.charAt(0) == 'P' || value.charAt(0) == 'p') {
      try {
        Duration parsed = Duration.parse(value);
        if (parsed.isNegative()) {
          throw new IllegalArgumentException("'" + value + "' is negative: a duration here must be 0 or more");
        }
        return parsed;
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + value + "' is not an ISO-8601 duration (" + DURATION_FORMS + ")");
      }
    }
    Matcher part = DURATION_PART.matcher(value);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < value.length()) {
      if (!part.find(at) || part.start() != at) {
        if (value.chars().allMatch(Character::isDigit)) {
          throw new IllegalArgumentException("'" + value + "' has no unit (" + DURATION_FORMS + ")");
        }
        throw new IllegalArgumentException("'" + value + "' is not a duration (" + DURATION_FORMS + ")");
      }
      BigDecimal amount = new BigDecimal(part.group(1));
      long nanosPerUnit = switch (part.group(2)) {
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> 86_400_000_000_000L;
      };
      try {
        total = total.plusNanos(amount.multiply(BigDecimal.valueOf(nanosPerUnit)).toBigInteger().longValueExact());
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("'" + value + "' is too long a duration");
      }
      at = part.end();
    }
    return total;
  }

  /** A whole number; underscores between digits are allowed ({@code 1_000}), as YAML allows them. */
  static long wholeNumber(String text) {
    String value = text.strip().replace("_", "");
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text.strip() + "' is not a whole number");
    }
  }

  /** Bytes: {@code 1048576}, or with a unit, 1000-based ({@code 64KB}, {@code MB}, {@code GB}) or 1024-based ({@code KiB}...). */
  static long bytes(String text) {
    String value = text.strip().replace("_", "");
    Matcher size = SIZE.matcher(value);
    if (!size.matches()) {
      throw new IllegalArgumentException("'" + text.strip() + "' is not a size (use bytes such as 1048576, "
          + "or 512KiB, 64MiB, 1GiB, or 100MB)");
    }
    String unit = size.group(2) == null ? "b" : size.group(2).toLowerCase(Locale.ROOT);
    long multiplier = switch (unit) {
      case "kb" -> 1_000L;
      case "mb" -> 1_000_000L;
      case "gb" -> 1_000_000_000L;
      case "kib" -> 1L << 10;
      case "mib" -> 1L << 20;
      case "gib" -> 1L << 30;
      default -> 1L;
    };
    try {
      return Math.multiplyExact(Long.parseLong(size.group(1)), multiplier);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text.strip() + "' is too large a size");
    }
  }

  /** {@code true}/{@code false}, and YAML's {@code yes}/{@code no} and {@code on}/{@code off}. */
  static boolean bool(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("'" + text.strip() + "' is not true or false (on/off, "
          + "yes/no also do)");
    };
  }
}
