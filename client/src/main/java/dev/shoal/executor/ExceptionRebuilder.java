package dev.shoal.executor;

import dev.shoal.app.AppDefinition;
import dev.shoal.internal.wire.ExceptionFields;
import dev.shoal.internal.wire.RemoteError;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.DateTimeException;
import java.util.ConcurrentModificationException;
import java.util.InputMismatchException;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Turns an app's failure reported by a worker into the exception the app would have failed with on
 * threads, where that is safe, so that the same {@code catch} works on every executor. Rebuilt are
 * Shoal's own exceptions (with their fields), the standard JDK exceptions of an explicit list, and
 * the types the app declares ({@code Apps.define(..).throwing(..)}); each gets the remote message
 * and the remote stack, and the {@link RemoteAppException} (remote class, worker, task) rides along
 * as a suppressed exception. Anything else stays a {@link RemoteAppException}.
 *
 * <p>A class is never looked up by a name from the wire: the JDK list is written here as
 * constructors, the declared types are classes the app's code handed over, and a name from the wire
 * only selects among them by exact match.
 */
final class ExceptionRebuilder {
  /** A standard exception's constructor: from its message and its rebuilt cause (null if none). */
  private interface Standard {
    Exception create(String message, Throwable cause);
  }

  private static final Map<String, Standard> STANDARD = Map.ofEntries(
      plain(Exception.class, Exception::new),
      plain(RuntimeException.class, RuntimeException::new),
      plain(IllegalStateException.class, IllegalStateException::new),
      plain(IllegalArgumentException.class, IllegalArgumentException::new),
      plain(ArithmeticException.class, ArithmeticException::new),
      plain(NullPointerException.class, NullPointerException::new),
      plain(UnsupportedOperationException.class, UnsupportedOperationException::new),
      plain(IndexOutOfBoundsException.class, IndexOutOfBoundsException::new),
      plain(ArrayIndexOutOfBoundsException.class, ArrayIndexOutOfBoundsException::new),
      plain(StringIndexOutOfBoundsException.class, StringIndexOutOfBoundsException::new),
      plain(ClassCastException.class, ClassCastException::new),
      plain(NumberFormatException.class, NumberFormatException::new),
      plain(NegativeArraySizeException.class, NegativeArraySizeException::new),
      plain(ArrayStoreException.class, ArrayStoreException::new),
      plain(SecurityException.class, SecurityException::new),
      plain(NoSuchElementException.class, NoSuchElementException::new),
      plain(InputMismatchException.class, InputMismatchException::new),
      plain(ConcurrentModificationException.class, ConcurrentModificationException::new),
      plain(CancellationException.class, CancellationException::new),
      plain(RejectedExecutionException.class, RejectedExecutionException::new),
      plain(TimeoutException.class, TimeoutException::new),
      plain(DateTimeException.class, DateTimeException::new),
      plain(IOException.class, IOException::new),
      plain(FileNotFoundException.class, FileNotFoundException::new),
      plain(EOFException.class, EOFException::new),
      // The path exceptions keep the whole remote message as their file: getMessage() is the same.
      plain(NoSuchFileException.class, NoSuchFileException::new),
      plain(FileAlreadyExistsException.class, FileAlreadyExistsException::new),
      plain(AccessDeniedException.class, AccessDeniedException::new),
      plain(DirectoryNotEmptyException.class, DirectoryNotEmptyException::new),
      plain(NotDirectoryException.class, NotDirectoryException::new),
      plain(UnknownHostException.class, UnknownHostException::new),
      plain(ConnectException.class, ConnectException::new),
      plain(SocketTimeoutException.class, SocketTimeoutException::new),
      // Its cause is part of its contract: without an IOException to wrap, it is not rebuilt.
      Map.entry(UncheckedIOException.class.getName(),
          (message, cause) -> cause instanceof IOException io ? new UncheckedIOException(message, io) : null));

  private ExceptionRebuilder() {}

  /** The exception the task's future fails with, for an app error a worker reported. */
  static Throwable rebuild(long taskId, AppDefinition app, String worker, RemoteError error) {
    RemoteAppException remote = new RemoteAppException(taskId, app.name(), worker, error);
    Throwable local = local(taskId, app, error, error.cause() == null ? null : cause(taskId, app, error.cause()));
    if (local == null) {
      return remote;
    }
    local.addSuppressed(remote);
    return local;
  }

  /** A cause rebuilt where it may be, and otherwise carried as text; the chain below it is rebuilt all the same. */
  private static Throwable cause(long taskId, AppDefinition app, RemoteError error) {
    Throwable below = error.cause() == null ? null : cause(taskId, app, error.cause());
    Throwable local = local(taskId, app, error, below);
    return local != null ? local : new RemoteAppException.RemoteCause(error, below);
  }

  /** The error as a local exception with this cause; null when its class is not rebuilt. */
  private static Throwable local(long taskId, AppDefinition app, RemoteError error, Throwable cause) {
    Throwable local = ExceptionFields.rebuild(error, app.name(), taskId, cause).orElse(null);
    if (local == null) {
      Standard standard = STANDARD.get(error.type());
      local = standard != null ? standard.create(error.message(), cause) : declared(app, error.type(), error.message(), cause);
    }
    if (local != null) {
      local.setStackTrace(RemoteAppException.RemoteCause.frames(error));
    }
    return local;
  }

  /** An exception of a type the app declared, built with its (String) constructor. */
  private static Exception declared(AppDefinition app, String type, String message, Throwable cause) {
    for (Class<? extends Exception> declared : app.exceptionTypes()) {
      if (declared.getName().equals(type)) {
        Exception built;
        try {
          built = declared.getConstructor(String.class).newInstance(message);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
          return null; // a constructor that fails to run: the remote view is all there is
        }
        return withCause(built, cause);
      }
    }
    return null;
  }

  private static <E extends Exception> Map.Entry<String, Standard> plain(Class<E> type, Function<String, E> constructor) {
    return Map.entry(type.getName(), (message, cause) -> withCause(constructor.apply(message), cause));
  }

  private static Exception withCause(Exception exception, Throwable cause) {
    if (cause != null && exception.getCause() == null) {
      try {
        exception.initCause(cause);
      } catch (IllegalStateException e) {
        // Its constructor chose a cause (null included): keep the exception as it built itself.
      }
    }
    return exception;
  }
}
