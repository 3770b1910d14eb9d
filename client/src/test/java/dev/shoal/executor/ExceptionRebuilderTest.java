package dev.shoal.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.app.AppDefinition;
import dev.shoal.app.Apps;
import dev.shoal.command.CommandFailedException;
import dev.shoal.internal.wire.RemoteError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client makes of an app error a worker reported, including errors no worker would send:
 * a queue message may be forged, and whatever class it names must not be constructed unless
 * Shoal, the JDK allow-list or the app's own declaration says so.
 */
class ExceptionRebuilderTest {
  private static final AppDefinition PLAIN = Apps.define("rebuild.plain").java(Long.class, () -> 1L).definition();
  private static final AppDefinition DECLARING = Apps.define("rebuild.declaring")
      .throwing(Declared.class, Refusing.class)
      .java(Long.class, () -> 1L).definition();

  /** Constructions in this JVM: a class whose constructor has a side effect. */
  static final AtomicInteger TRIPPED = new AtomicInteger();

  /** No app declares it. */
  public static final class Tripwire extends RuntimeException {
    public Tripwire(String message) {
      super(message);
      TRIPPED.incrementAndGet();
    }
  }

  /** Declared by {@link #DECLARING}. */
  public static final class Declared extends RuntimeException {
    public Declared(String message) {
      super(message);
    }
  }

  /** Declared, but its constructor throws. */
  public static final class Refusing extends RuntimeException {
    public Refusing(String message) {
      throw new IllegalStateException("refused " + message);
    }
  }

  private static RemoteError error(String type, String message) {
    return new RemoteError(type, message, List.of("pkg.Remote.run(Remote.java:12)", "pkg.Main.main(Main.java:3)"), null, null);
  }

  private static Throwable rebuild(AppDefinition app, RemoteError error) {
    return ExceptionRebuilder.rebuild(7, app, "worker-1", error);
  }

  @Test
  void aStandardExceptionIsRebuiltWithTheRemoteMessageAndStackAndTheRemoteViewSuppressed() {
    Throwable rebuilt = rebuild(PLAIN, error(IllegalStateException.class.getName(), "not ready"));

    assertThat(rebuilt).isExactlyInstanceOf(IllegalStateException.class).hasMessage("not ready").hasNoCause();
    assertThat(rebuilt.getStackTrace()).extracting(StackTraceElement::getClassName).containsExactly("pkg.Remote", "pkg.Main");
    assertThat(rebuilt.getStackTrace()[0].getLineNumber()).isEqualTo(12);
    assertThat(rebuilt.getSuppressed()).singleElement().isInstanceOfSatisfying(RemoteAppException.class, remote -> {
      assertThat(remote.taskId()).isEqualTo(7);
      assertThat(remote.app()).isEqualTo("rebuild.plain");
      assertThat(remote.worker()).isEqualTo("worker-1");
      assertThat(remote.remoteType()).isEqualTo(IllegalStateException.class.getName());
      assertThat(remote.remoteMessage()).isEqualTo("not ready");
    });
  }

  @Test
  void classesThatAreNoExceptionStayText(@TempDir Path dir) {
    Path target = dir.resolve("created-by-a-forged-message");
    for (String type : List.of("java.lang.ProcessBuilder", "java.io.FileOutputStream", "java.io.File",
        "java.lang.Thread", "java.net.URL", "javax.script.ScriptEngineManager")) {
      Throwable rebuilt = rebuild(PLAIN, error(type, target.toString()));

      assertThat(rebuilt).as(type).isExactlyInstanceOf(RemoteAppException.class);
      assertThat(((RemoteAppException) rebuilt).remoteType()).isEqualTo(type);
    }
    assertThat(Files.exists(target)).isFalse();
  }

  @Test
  void anUndeclaredExceptionOnTheClassPathIsNeverConstructed() {
    int before = TRIPPED.get();

    Throwable rebuilt = rebuild(PLAIN, error(Tripwire.class.getName(), "tripped"));

    assertThat(rebuilt).isExactlyInstanceOf(RemoteAppException.class);
    assertThat(((RemoteAppException) rebuilt).remoteMessage()).isEqualTo("tripped");
    assertThat(TRIPPED.get()).isEqualTo(before);
  }

  @Test
  void errorsAndExceptionsOffTheListStayRemote() {
    for (String type : List.of(OutOfMemoryError.class.getName(), StackOverflowError.class.getName(),
        InterruptedException.class.getName(), ReflectiveOperationException.class.getName(),
        ClassNotFoundException.class.getName(), "java.lang.IllegalStateException$Nested", "illegalstateexception",
        "")) {
      assertThat(rebuild(PLAIN, error(type, "m"))).as(type).isExactlyInstanceOf(RemoteAppException.class);
    }
  }

  @Test
  void aDeclaredExceptionIsRebuiltOnlyForTheAppThatDeclaresIt() {
    RemoteError error = error(Declared.class.getName(), "over quota");

    assertThat(rebuild(DECLARING, error)).isExactlyInstanceOf(Declared.class).hasMessage("over quota");
    assertThat(rebuild(PLAIN, error)).isExactlyInstanceOf(RemoteAppException.class);
  }

  @Test
  void aDeclaredExceptionWhoseConstructorFailsStaysRemote() {
    assertThat(rebuild(DECLARING, error(Refusing.class.getName(), "x"))).isExactlyInstanceOf(RemoteAppException.class);
  }

  @Test
  void causesAreRebuiltWhereTheyMayBeAndCarriedAsTextWhereNot() {
    RemoteError io = error(IOException.class.getName(), "disk gone");
    RemoteError tripwire = new RemoteError(Tripwire.class.getName(), "in between", List.of(), io, null);
    RemoteError top = new RemoteError(IllegalStateException.class.getName(), "failed", List.of(), tripwire, null);

    Throwable rebuilt = rebuild(PLAIN, top);

    assertThat(rebuilt).isExactlyInstanceOf(IllegalStateException.class);
    assertThat(rebuilt.getCause()).isInstanceOf(RemoteAppException.RemoteCause.class)
        .hasMessage(Tripwire.class.getName() + ": in between");
    assertThat(rebuilt.getCause().getCause()).isExactlyInstanceOf(IOException.class).hasMessage("disk gone");
  }

  @Test
  void anUncheckedIoExceptionNeedsItsIoCause() {
    RemoteError withCause = new RemoteError(UncheckedIOException.class.getName(), "reading", List.of(),
        error(IOException.class.getName(), "disk gone"), null);
    RemoteError without = error(UncheckedIOException.class.getName(), "reading");

    assertThat(rebuild(PLAIN, withCause)).isExactlyInstanceOf(UncheckedIOException.class).hasMessage("reading")
        .cause().isExactlyInstanceOf(IOException.class).hasMessage("disk gone");
    assertThat(rebuild(PLAIN, without)).isExactlyInstanceOf(RemoteAppException.class);
  }

  @Test
  void aShoalExceptionWithoutItsFieldsStaysRemote() {
    Throwable rebuilt = rebuild(PLAIN, error(CommandFailedException.class.getName(), "command 'x' exited with code 1"));

    assertThat(rebuilt).isExactlyInstanceOf(RemoteAppException.class);
  }
}
