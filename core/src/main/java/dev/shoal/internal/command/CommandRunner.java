package dev.shoal.internal.command;

import dev.shoal.command.Command;
import dev.shoal.command.CommandFailedException;
import dev.shoal.command.CommandResult;
import dev.shoal.command.WalltimeExceededException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Command} in its own working directory with stdout and stderr captured to files.
 * Shared by the local executor and the remote worker, so a command app behaves the same on both.
 * Each command runs in a session of its own where the system allows (see {@link CommandProcess}),
 * so that a walltime or a cancellation kills everything it started.
 */
public final class CommandRunner {
  /** How much of a stream's end is kept in results and error messages. */
  public static final int TAIL_BYTES = 64 * 1024;

  private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);
  private static final int STDERR_TAIL_BYTES = 4 * 1024;
  /** How long a command being killed gets between SIGTERM and SIGKILL, to clean up. */
  static final Duration KILL_GRACE = Duration.ofSeconds(5);

  private CommandRunner() {}

  /**
   * Runs the command and waits for it.
   *
   * @param walltime the limit when the command carries none; null for no limit
   * @param app the command app, named by a failure
   * @param taskId the task running the command, named by a failure
   * @throws CommandFailedException on a non-zero exit
   * @throws WalltimeExceededException when the command ran too long (it is killed, with everything it
   *     started: SIGTERM, then SIGKILL after a grace of 5 s)
   * @throws InterruptedException when the calling thread is interrupted (the command is killed the same way)
   */
  public static CommandResult run(Command command, Path workDir, Duration walltime, String app, long taskId)
      throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Path stdout = workDir.resolve("stdout.txt");
    Path stderr = workDir.resolve("stderr.txt");
    ProcessBuilder builder = new ProcessBuilder(command.argv())
        .directory(workDir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    builder.environment().putAll(command.env());
    Duration limit = command.walltime() != null ? command.walltime() : walltime;

    long started = System.nanoTime();
    CommandProcess running = CommandProcess.start(builder);
    Process process = running.process();
    try {
      boolean exited;
      if (limit == null) {
        process.waitFor();
        exited = true;
      } else {
        exited = process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (!exited) {
        running.kill(KILL_GRACE);
        throw new WalltimeExceededException(app, taskId, command.argv(), limit);
      }
    } catch (InterruptedException e) {
      running.kill(KILL_GRACE);
      throw e;
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    int exit = process.exitValue();
    if (exit != 0) {
      throw new CommandFailedException(app, taskId, command.argv(), exit, tail(stderr, STDERR_TAIL_BYTES));
    }
    // Absolute, as a worker's are: a relative run folder must not make paths mean something else elsewhere.
    return new CommandResult(exit, workDir.toAbsolutePath().toString(), stdout.toAbsolutePath().toString(),
        stderr.toAbsolutePath().toString(), tail(stdout, TAIL_BYTES), elapsed);
  }

  private static java.io.File nullDevice() {
    return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  /** The last {@code maxBytes} of a file as text, starting at a line boundary where one is near. */
  static String tail(Path file, int maxBytes) {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      long from = Math.max(0, length - maxBytes);
      byte[] bytes = new byte[(int) (length - from)];
      in.seek(from);
      in.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (from > 0) {
        int newline = text.indexOf('\n');
        if (newline >= 0 && newline < text.length() - 1) {
          text = text.substring(newline + 1);
        }
      }
      return text;
    } catch (IOException e) {
      log.warn("could not read {}: {}", file, e.toString());
      return "";
    }
  }
}
