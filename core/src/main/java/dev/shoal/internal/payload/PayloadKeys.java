package dev.shoal.internal.payload;

import dev.shoal.spi.PayloadStoreException;
import java.net.URI;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The key rules every payload store shares: a caller's prefix is one or more plain path segments
 * (letters, digits, {@code . _ = -}; never {@code .} or {@code ..}), and a new object's key is
 * {@code <root path><prefix>/<random UUID>}, so no two puts collide and everything of one run can
 * be found, and expired, by its prefix.
 */
public final class PayloadKeys {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._=-]+");

  private PayloadKeys() {}

  /**
   * The prefix, if it is one or more plain segments joined by single slashes.
   *
   * @throws IllegalArgumentException otherwise (it comes from the caller's code, not the wire)
   */
  public static String checkPrefix(String prefix) {
    if (prefix == null || prefix.isEmpty() || !isPlainPath(prefix)) {
      throw new IllegalArgumentException("a payload prefix is one or more plain path segments "
          + "(letters, digits, . _ = -; not . or ..) joined by '/': " + prefix);
    }
    return prefix;
  }

  /** A fresh key below {@code rootPath} (empty, or ending with '/') and {@code prefix}. */
  public static String newKey(String rootPath, String prefix) {
    return rootPath + checkPrefix(prefix) + "/" + UUID.randomUUID();
  }

  /** Whether {@code path} is plain segments joined by single slashes, none of them . or .. */
  public static boolean isPlainPath(String path) {
    for (String segment : path.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /**
   * A root's path as a key prefix: empty, or plain segments with a trailing slash.
   *
   * @throws IllegalArgumentException when it is not plain segments
   */
  public static String rootPath(URI root, String path) {
    String trimmed = path == null ? "" : path.replaceAll("^/+", "").replaceAll("/+$", "");
    if (trimmed.isEmpty()) {
      return "";
    }
    if (!isPlainPath(trimmed)) {
      throw new IllegalArgumentException("a payload store's root path is plain segments "
          + "(letters, digits, . _ = -; not . or ..): " + root);
    }
    return trimmed + "/";
  }

  /** The failure of a reference that this store does not serve. */
  public static PayloadStoreException refused(URI location, URI root, String why) {
    return new PayloadStoreException("refusing payload reference " + location + ": " + why
        + " (this store serves " + root + ")");
  }
}
