import type { Command } from 'commander';
import { ecsNameProblem } from '../../core/arn.js';
import { formatDuration, parseDuration } from '../../core/duration.js';
import { escapeControls } from '../../core/escape.js';
import { shellJoin } from '../../core/shell-quote.js';
import { InputError, UsageError } from '../../errors.js';
import { createContext, type Context, type Deps, type GlobalFlags } from '../../runtime/context.js';

type Results<T extends readonly (() => unknown)[]> = { -readonly [K in keyof T]: ReturnType<T[K]> };

/**
 * One validation pass: runs every check, even after one has failed, and throws every problem they
 * found at once (exit 2), so that a user fixes all of them in one go. A check is anything that
 * throws UsageError or InputError on bad input (a flag, a file, an environment value); one problem
 * is rethrown as it was. Other errors (bugs) pass through at once.
 */
export function checkAll<const T extends readonly (() => unknown)[]>(...checks: T): Results<T> {
  const problems: string[] = [];
  const failures: Error[] = [];
  const results = checks.map((check) => {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof UsageError || err instanceof InputError)) throw err;
      failures.push(err);
      // A flag checked twice (rollout checks its templates with a sample name too) is one problem.
      for (const p of err instanceof UsageError ? err.problems : [err.message]) if (!problems.includes(p)) problems.push(p);
      return undefined;
    }
  });
  if (problems.length === 1) throw failures[0]!;
  if (problems.length > 1) throw UsageError.of(problems);
  return results as Results<T>;
}

/** The step context for a command: its global flags and main.ts's deps. */
export function contextOf(cmd: Command, deps: Deps): Context {
  return createContext(cmd.optsWithGlobals<GlobalFlags>(), deps);
}

/** Parses an optional duration flag, at least `minMs` (a poll interval or a timeout shorter than that means nothing). */
export function durationFlag(value: string | undefined, flag: string, fallbackMs: number, minMs = 1): number {
  if (value === undefined) return fallbackMs;
  const ms = parseDuration(value, flag);
  if (ms < minMs) throw new UsageError(`${flag}: "${escapeControls(value)}" is shorter than ${formatDuration(minMs)}, the least it takes`);
  return ms;
}

/** Parses a whole number flag within bounds. */
export function intFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag}: "${value}" is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag}: ${n} is out of range (${min} to ${max})`);
  return n;
}

/** A resource name as ECS takes it (see ecsNameProblem); with `kind`, that ECS resource's ARN too. */
export function nameFlag(value: string, flag: string, kind?: 'cluster' | 'service'): string {
  const problem = ecsNameProblem(value, flag, kind);
  if (problem) throw new UsageError(problem);
  return value;
}

/**
 * --service (once or repeated) and --cluster, when given: checked in the command's validation pass
 * (resolveServiceTarget checks them again, and the cfn-output value that stands in for --cluster).
 */
export function targetFlags(flags: { service?: string | string[]; cluster?: string }): void {
  const services = flags.service === undefined ? [] : [flags.service].flat();
  checkAll(
    ...services.map((s) => () => nameFlag(s, '--service', 'service')),
    () => flags.cluster !== undefined && nameFlag(flags.cluster, '--cluster', 'cluster'),
  );
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
