import type { Command } from 'commander';

/**
 * One option, declared once: what commander is told (its flags, help and default) and what meshctl's
 * own readers of the arguments derive from it (its name, whether it takes a value). Adders build
 * commands from these; nothing lists an option's name or arity again by hand.
 */
export interface OptionDecl {
  /** commander's flags: `--region <region>`, `--json`, `--no-config`. */
  readonly flags: string;
  readonly help: string;
  /** commander's default (a value the config file and the environment may still replace). */
  readonly default?: string;
  /** Repeatable: each value is collected into a list (`--service a --service b`); no default. */
  readonly repeat?: true;
}

/** commander's collector for a repeated flag. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The option's name as typed: `--region` for `--region <region>`. */
export function optionName(decl: OptionDecl): string {
  return decl.flags.split(/[ ,]+/).find((w) => w.startsWith('--'))!;
}

/** Whether the option takes a value (`<value>` or `[value]` in its flags). */
export function takesValue(decl: OptionDecl): boolean {
  return /[<[]/.test(decl.flags);
}

/** Adds the options to `cmd`, in the order given. */
export function addOptions(cmd: Command, decls: readonly OptionDecl[]): Command {
  for (const d of decls) {
    if (d.repeat) cmd.option(d.flags, d.help, collect);
    else if (d.default !== undefined) cmd.option(d.flags, d.help, d.default);
    else cmd.option(d.flags, d.help);
  }
  return cmd;
}

/** A flag per name, by the camelCase attribute commander gives its value (`instanceId: '--instance-id'`). */
export function flagNames<K extends string>(decls: Readonly<Record<K, OptionDecl>>): Record<K, string> {
  return Object.fromEntries(Object.entries<OptionDecl>(decls).map(([key, d]) => [key, optionName(d)])) as Record<K, string>;
}
