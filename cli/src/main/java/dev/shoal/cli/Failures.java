package dev.shoal.cli;

import dev.shoal.spi.TransportException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.time.Duration;

/** Waiting on the transport's futures from a command, and saying what failed in one line. */
final class Failures {
  /** How long one call to a queue service may take before the command gives up on it. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private Failures() {}

  /** The future's value; its failure (a {@link TransportException}, say) rethrown as it is. */
  static <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to " + what, e);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new IllegalStateException("no answer within " + CALL_TIMEOUT.toSeconds() + " s to " + what, e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("could not " + what + ": " + cause, cause);
    }
  }

  static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** One line for the user: the message, with the type only when there is no message to say it. */
  static String describe(Throwable error) {
    Throwable cause = unwrap(error);
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }
}
