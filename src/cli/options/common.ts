import type { Command } from 'commander';
import { isEcsNameOrArn } from '../../core/arn.js';
import { parseDuration } from '../../core/duration.js';
import { shellJoin } from '../../core/shell-quote.js';
import { UsageError } from '../../errors.js';
import { createContext, type Context, type Deps, type GlobalFlags } from '../../steps/context.js';

/** The step context for a command: its global flags and main.ts's deps. */
export function contextOf(cmd: Command, deps: Deps): Context {
  return createContext(cmd.optsWithGlobals<GlobalFlags>(), deps);
}

/** Parses an optional duration flag. */
export function durationFlag(value: string | undefined, flag: string, fallbackMs: number): number {
  return value === undefined ? fallbackMs : parseDuration(value, flag);
}

/** Parses a whole number flag within bounds. */
export function intFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag}: "${value}" is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag}: ${n} is out of range (${min} to ${max})`);
  return n;
}

/** A resource name as ECS takes it: letters, digits, hyphens and underscores, or an ARN. */
export function nameFlag(value: string, flag: string): string {
  if (!isEcsNameOrArn(value)) {
    throw new UsageError(`${flag}: "${value}" is not a valid name (letters, digits, - and _; or an ARN)`);
  }
  return value;
}

/** commander's collector for a repeated flag. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * `meshctl <the user's own arguments>`, quoted, ready to paste: the flags in `drop` are removed (with
 * their values) and `add` is appended. The one argv rewriter for every resume command.
 */
export function resumeCommand(argv: readonly string[], change: { drop?: readonly string[]; add?: readonly string[] } = {}): string {
  const drop = new Set(change.drop ?? []);
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.split('=')[0]!;
    if (drop.has(name)) {
      if (!a.includes('=') && VALUELESS.has(name) === false) i++;
    } else args.push(a);
  }
  return `meshctl ${shellJoin([...args, ...(change.add ?? [])])}`;
}

/** Dropped flags that take no value. */
const VALUELESS = new Set(['--all-services', '--rollback-on-failure', '--dry-run', '--force', '--yes']);

/**
 * `meshctl <command>` for another command than the one the user ran: only the flags in `keep` are
 * carried over from their arguments (with their values; `switches` take none), then `add`.
 */
export function otherCommand(
  argv: readonly string[],
  command: string,
  keep: { values: readonly string[]; switches: readonly string[] },
  add: readonly string[],
): string {
  const values = new Set(keep.values);
  const switches = new Set(keep.switches);
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.split('=')[0]!;
    if (switches.has(a)) args.push(a);
    else if (values.has(name)) {
      if (a.includes('=')) args.push(a);
      else if (i + 1 < argv.length) args.push(a, argv[++i]!);
    }
  }
  return `meshctl ${shellJoin([command, ...args, ...add])}`;
}
