package dev.shoal.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * The completion script, picocli's {@link AutoComplete} of the command tree: printed by {@code
 * shoal completion}, and written by the build ({@link #main}) from the very same tree.
 */
final class CompletionScript {
  static final String COMMAND = "shoal";

  private CompletionScript() {}

  static String of(CommandLine root) {
    return AutoComplete.bash(COMMAND, root);
  }

  /** Writes the script to the file given, for packaging beside the jar. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CompletionScript <output file>");
    }
    Path target = Path.of(args[0]);
    Files.createDirectories(target.toAbsolutePath().getParent());
    Files.writeString(target, of(Shoal.commandLine(CliContext.system())), StandardCharsets.UTF_8);
  }
}
