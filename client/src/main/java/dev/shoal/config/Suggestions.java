package dev.shoal.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** The known word a misspelt one most likely meant, if any is close enough to be worth saying. */
final class Suggestions {
  private Suggestions() {}

  static Optional<String> closest(String word, Collection<String> known) {
    String lower = word.toLowerCase(Locale.ROOT);
    String best = null;
    int bestScore = Integer.MAX_VALUE;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      String other = candidate.toLowerCase(Locale.ROOT);
      int distance = distance(lower, other);
      // A word that is part of a key (queue for taskQueue) points at it as a typo would; between
      // such keys, the one fewer edits away wins.
      int score = distance > 0 && lower.length() >= 3 && (other.contains(lower) || lower.contains(other))
          ? 1 : distance;
      if (score < bestScore || score == bestScore && distance < bestDistance) {
        best = candidate;
        bestScore = score;
        bestDistance = distance;
      }
    }
    // Close relative to the word's length: "rety" is retries, "x" is nothing in particular.
    int allowed = Math.max(1, Math.min(3, word.length() / 3));
    return best != null && bestScore <= allowed ? Optional.of(best) : Optional.empty();
  }

  /** Edits (insert, delete, replace, swap two neighbours) from one to the other. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
