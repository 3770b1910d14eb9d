package dev.shoal.command;

import dev.shoal.internal.command.CommandRunner;
import java.time.Duration;

/**
 * How a command ran. The output files live on the machine that ran it (a remote worker's disk
 * for a remote executor), so the tail of stdout is carried in the result too.
 *
 * @param exitCode always 0: a non-zero exit fails the task with {@link CommandFailedException}
 * @param workDir the directory the command ran in
 * @param stdoutFile the file that holds the command's whole standard output
 * @param stderrFile the file that holds the command's whole standard error
 * @param stdout the last {@value CommandRunner#TAIL_BYTES} bytes of standard output
 * @param elapsed wall-clock time the command took
 */
public record CommandResult(int exitCode, String workDir, String stdoutFile, String stderrFile,
    String stdout, Duration elapsed) {}
