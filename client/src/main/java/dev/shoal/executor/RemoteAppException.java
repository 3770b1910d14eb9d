package dev.shoal.executor;

import dev.shoal.internal.wire.RemoteError;

/**
 * An app threw on a remote worker. The original exception's class is named by {@link #remoteType()}
 * and its stack is this exception's stack trace. A task's future fails with it when the class may
 * not be rebuilt on the client (a queue message must not choose what the client constructs); when
 * it may (Shoal's own exceptions, standard JDK ones, the app's declared ones), the future fails with
 * the rebuilt exception and this one is among its {@linkplain #getSuppressed() suppressed}.
 */
public class RemoteAppException extends RuntimeException {
  private final long taskId;
  private final String app;
  private final String worker;
  private final String remoteType;
  private final String remoteMessage;

  RemoteAppException(long taskId, String app, String worker, RemoteError error) {
    super(error.type() + (error.message() != null ? ": " + error.message() : "") + " (task " + taskId + ", app "
        + app + ", on worker " + worker + ")", error.cause() != null ? new RemoteCause(error.cause()) : null,
        true, true);
    this.taskId = taskId;
    this.app = app;
    this.worker = worker;
    this.remoteType = error.type();
    this.remoteMessage = error.message();
    setStackTrace(RemoteCause.frames(error));
  }

  /** The task whose app threw. */
  public long taskId() {
    return taskId;
  }

  /** The app that threw. */
  public String app() {
    return app;
  }

  /** The id of the worker the app ran on. */
  public String worker() {
    return worker;
  }

  /** The class name of the exception the app threw. */
  public String remoteType() {
    return remoteType;
  }

  /** The message of the exception the app threw. */
  public String remoteMessage() {
    return remoteMessage;
  }

  /** A remote exception's cause, carried the same way. */
  static final class RemoteCause extends RuntimeException {
    RemoteCause(RemoteError error) {
      this(error, error.cause() != null ? new RemoteCause(error.cause()) : null);
    }

    /** A remote exception with a cause already built (possibly rebuilt as a local exception). */
    RemoteCause(RemoteError error, Throwable cause) {
      super(error.type() + (error.message() != null ? ": " + error.message() : ""), cause, true, true);
      setStackTrace(frames(error));
    }

    static StackTraceElement[] frames(RemoteError error) {
      if (error.stack() == null) {
        return new StackTraceElement[0];
      }
      StackTraceElement[] frames = new StackTraceElement[error.stack().size()];
      for (int i = 0; i < frames.length; i++) {
        frames[i] = parse(error.stack().get(i));
      }
      return frames;
    }

    // "pkg.Class.method(File.java:12)" back into a frame, so IDEs and loggers show it as a stack.
    private static StackTraceElement parse(String frame) {
      int paren = frame.indexOf('(');
      String qualified = paren < 0 ? frame : frame.substring(0, paren);
      String location = paren < 0 ? "" : frame.substring(paren + 1, Math.max(paren + 1, frame.length() - 1));
      int slash = qualified.lastIndexOf('/');
      qualified = slash < 0 ? qualified : qualified.substring(slash + 1);
      int dot = qualified.lastIndexOf('.');
      String declaringClass = dot < 0 ? "remote" : qualified.substring(0, dot);
      String method = dot < 0 ? qualified : qualified.substring(dot + 1);
      String file = location;
      int line = -1;
      int colon = location.lastIndexOf(':');
      if (colon >= 0) {
        file = location.substring(0, colon);
        try {
          line = Integer.parseInt(location.substring(colon + 1));
        } catch (NumberFormatException e) {
          file = location;
        }
      }
      return new StackTraceElement(declaringClass, method, file.isEmpty() ? null : file, line);
    }
  }
}
