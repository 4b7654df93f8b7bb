import { Argument, type Command, type Option } from 'commander';
import { completionScript, SHELLS, type CompletionCommand, type CompletionOption, type Shell } from '../core/completion.js';
import type { Deps } from '../runtime/context.js';
import type { Report } from '../ui/output.js';
import { deferredProblems } from './options/common.js';

function optionOf(o: Option): CompletionOption {
  return {
    names: [o.short, o.long].filter((n): n is string => n !== undefined),
    description: o.description,
    // An optional value (`[x]`) never swallows the next word here: it may be a subcommand.
    value: o.required ? { placeholder: /<([^>]+)>/.exec(o.flags)?.[1] ?? '', choices: o.argChoices ?? [] } : null,
  };
}

/**
 * A command as its help shows it (commander's own Help: visible subcommands, including the implicit
 * `help`, and visible flags), as plain data for the script writers in core.
 */
export function completionTreeOf(cmd: Command): CompletionCommand {
  const help = cmd.createHelp();
  const visible = help.visibleCommands(cmd);
  const declared = visible.filter((c) => cmd.commands.includes(c));
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    description: cmd.summary() || cmd.description(),
    options: help.visibleOptions(cmd).map(optionOf),
    argumentWords: cmd.registeredArguments.flatMap((a) => a.argChoices ?? []),
    commands: visible.map((c) => {
      const tree = completionTreeOf(c);
      // The implicit `help [command]` is not among cmd.commands; its argument is one of them.
      return declared.includes(c) ? tree : { ...tree, argumentWords: declared.flatMap((d) => [d.name(), ...d.aliases()]) };
    }),
  };
}

const rootOf = (cmd: Command): Command => (cmd.parent ? rootOf(cmd.parent) : cmd);

export function completionReport(shell: Shell, script: string): Report {
  return { data: { shell, script }, lines: [script.trimEnd()] };
}

export function registerCompletion(program: Command, deps: Deps): void {
  program
    .command('completion')
    .description('print a shell completion script for bash, zsh or fish, made from these commands and flags')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  source <(meshctl completion bash)                   (this shell; add it to ~/.bashrc for every one)
  meshctl completion bash > ~/.local/share/bash-completion/completions/meshctl
  source <(meshctl completion zsh)                    (after compinit, e.g. in ~/.zshrc)
  meshctl completion fish > ~/.config/fish/completions/meshctl.fish

The script completes commands, subcommands, flags, and the values of flags that take a file, a folder
or one of a list. It is printed from the program itself: print it again after an upgrade.`,
    )
    .action((shell: Shell, _flags: unknown, cmd: Command) => {
      deferredProblems(cmd);
      const root = rootOf(cmd);
      deps.ui.result(completionReport(shell, completionScript(shell, completionTreeOf(root), root.version() ?? '')));
    });
}
