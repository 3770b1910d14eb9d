package dev.shoal.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code shoal completion}: the bash/zsh completion script, for the user's shell to load. */
@Command(name = "completion", header = "Prints the bash/zsh completion script.",
    mixinStandardHelpOptions = true, versionProvider = ShoalVersion.class,
    description = {"Prints the bash and zsh completion script of shoal (the build also leaves it in "
        + "cli/target/shoal_completion). Install it with one of:",
        "  source <(shoal completion)                                    # this shell only",
        "  shoal completion > ~/.local/share/bash-completion/completions/shoal   # bash, for good",
        "  zsh: the same script, after 'autoload -U +X bashcompinit && bashcompinit'"})
final class CompletionCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec
  CommandSpec spec;

  CompletionCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    context.out().print(CompletionScript.of(spec.root().commandLine()));
    context.out().flush();
    return 0;
  }
}
