package io.lbmanager.cli.lbm;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints a completion script: {@code source <(lbm completion bash)}; zsh reads it after {@code autoload -U bashcompinit && bashcompinit}. */
@Command(name = "completion", description = {"Print a shell completion script for lbm.",
        "bash: source <(lbm completion bash); zsh: autoload -U +X bashcompinit && bashcompinit && source <(lbm completion bash)"})
final class CompletionCommand extends LbmCommand {

    @Parameters(paramLabel = "SHELL", defaultValue = "bash", description = "bash (default; zsh uses it through bashcompinit)")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new UsageException("completion is generated for bash (and zsh through bashcompinit), not " + shell);
        }
        console().out().print(AutoComplete.bash("lbm", spec.root().commandLine()));
        console().out().flush();
        return Lbm.OK;
    }
}
