package dev.shoal.internal.command;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process of a running command, started where it can be as the leader of a session of its own
 * (with util-linux's {@code setsid}), so that killing it kills everything it started: a child that
 * double-forks away from the process tree ({@code (sleep 100 &)}) leaves the tree but stays in the
 * session's process group, which is signalled as a whole. Without {@code setsid} (macOS, say) only
 * the process tree is killed, and a warning says so once.
 */
final class CommandProcess {
  private static final Logger log = LoggerFactory.getLogger(CommandProcess.class);
  /** How long a killed command is waited for, and kill(1) too. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final Process process;
  /** True when the process leads its own session, so that its process group id is its pid. */
  private final boolean ownGroup;

  private CommandProcess(Process process, boolean ownGroup) {
    this.process = process;
    this.ownGroup = ownGroup;
  }

  /**
   * Starts the builder's command in a session of its own when it can. A program that cannot be
   * found is started as it is, so that it fails the way Java reports it (an {@link IOException}),
   * not as an exit code of {@code setsid}.
   */
  static CommandProcess start(ProcessBuilder builder) throws IOException {
    List<String> argv = List.copyOf(builder.command());
    Optional<String> setsid = Setsid.COMMAND;
    if (setsid.isEmpty() || !findable(argv.get(0), builder.directory())) {
      return new CommandProcess(builder.start(), false);
    }
    List<String> wrapped = new ArrayList<>(argv.size() + 2);
    // --wait: should setsid have to fork (it does when started as a group leader), it still
    // returns the command's exit status instead of returning at once.
    wrapped.addAll(List.of(setsid.get(), "--wait"));
    wrapped.addAll(argv);
    try {
      return new CommandProcess(builder.command(wrapped).start(), true);
    } finally {
      builder.command(argv);
    }
  }

  Process process() {
    return process;
  }

  /**
   * Kills the command and everything it started: SIGTERM first, so that it can clean up; SIGKILL
   * once the command and its known children are gone, or after {@code grace}. The final SIGKILL
   * goes to the whole process group, for what double-forked away and ignored SIGTERM.
   */
  void kill(Duration grace) {
    // Taken before the command dies: its children are reparented then, and no longer found.
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    signal("TERM", tree, ProcessHandle::destroy);
    boolean interrupted = false;
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle member : tree) {
      try {
        long left = deadline - System.nanoTime();
        if (left > 0 && member.isAlive()) {
          member.onExit().get(left, TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        interrupted = true; // A second interruption: skip the grace, kill now.
        break;
      } catch (TimeoutException | ExecutionException e) {
        break; // the grace is over
      }
    }
    signal("KILL", tree, ProcessHandle::destroyForcibly);
    try {
      process.waitFor(KILL_WAIT.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void signal(String signal, List<ProcessHandle> tree, Consumer<ProcessHandle> fallback) {
    if (ownGroup) {
      // Java signals single processes only; kill(1) reaches a whole group, atomically.
      try {
        Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " -- -\"$1\" 2>/dev/null", "sh",
            Long.toString(process.pid()))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        if (!kill.waitFor(KILL_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
          kill.destroyForcibly();
        }
      } catch (IOException e) {
        log.warn("could not signal the process group {} ({}): {}", process.pid(), signal, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // The tree too: a child that made a session of its own is still a descendant.
    tree.forEach(fallback);
  }

  /** Whether Java would find the program: on the JVM's PATH, or as a path from the working directory. */
  private static boolean findable(String program, File directory) {
    if (program.contains("/")) {
      Path path = directory == null ? Path.of(program) : directory.toPath().resolve(program);
      return Files.isRegularFile(path) && Files.isExecutable(path);
    }
    String searchPath = System.getenv("PATH");
    // What Java searches when PATH is not set.
    for (String dir : (searchPath == null ? "/bin:/usr/bin" : searchPath).split(File.pathSeparator, -1)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir).resolve(program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return true;
      }
    }
    return false;
  }

  /** util-linux's setsid, looked for once, when the first command runs. */
  private static final class Setsid {
    static final Optional<String> COMMAND = find();

    private static Optional<String> find() {
      if (System.getProperty("os.name").startsWith("Windows")) {
        return Optional.empty();
      }
      for (String candidate : List.of("/usr/bin/setsid", "/bin/setsid")) {
        if (Files.isExecutable(Path.of(candidate)) && works(candidate)) {
          return Optional.of(candidate);
        }
      }
      log.warn("setsid (util-linux) with --wait was not found: a command app's children that leave its "
          + "process tree (double-forked) can outlive its walltime or cancellation");
      return Optional.empty();
    }

    /** Another program named setsid may lack --wait, without which a command would seem to end at once. */
    private static boolean works(String setsid) {
      // The first command may run on an interrupted thread: that must not decide for the JVM's life.
      boolean interrupted = Thread.interrupted();
      try {
        Process probe = new ProcessBuilder(setsid, "--wait", "/bin/sh", "-c", "exit 3")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        return probe.waitFor(KILL_WAIT.toNanos(), TimeUnit.NANOSECONDS) && probe.exitValue() == 3;
      } catch (IOException | InterruptedException e) {
        return false;
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
