import type { Command } from 'commander';
import { ecsNameProblem, nameOfArn } from '../../core/arn.js';
import { formatDuration, parseDuration } from '../../core/duration.js';
import { httpNamespaceNameProblem } from '../../core/ecs-names.js';
import { escapeControls } from '../../core/escape.js';
import { shellJoin } from '../../core/shell-quote.js';
import { InputError, UsageError } from '../../errors.js';
import { createContext, type Context, type Deps, type GlobalFlags } from '../../runtime/context.js';
import { optionName, takesValue, type OptionDecl } from './declare.js';

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

/** Problems found before a command's action (the config file's), kept for its validation pass. */
const deferred = new WeakMap<Command, UsageError | InputError>();

/** Keeps `problem` for `cmd`'s validation pass, which throws it with its own (deferredProblems, contextOf). */
export function deferProblems(cmd: Command, problem: UsageError | InputError): void {
  deferred.set(cmd, problem);
}

/** A check for a validation pass: throws what was found before the action (a bad meshctl.yaml), once. */
export function deferredProblems(cmd: Command): void {
  const problem = deferred.get(cmd);
  deferred.delete(cmd);
  if (problem) throw problem;
}

/** The step context for a command: its global flags and main.ts's deps; also throws deferredProblems. */
export function contextOf(cmd: Command, deps: Deps): Context {
  return checkAll(
    () => deferredProblems(cmd),
    () => createContext(cmd.optsWithGlobals<GlobalFlags>(), deps),
  )[1];
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

/**
 * A Cloud Map namespace named by a flag, when given: as Cloud Map takes a name (an HTTP namespace's
 * rule, the loosest: printable ASCII without spaces, at most 1024, not an ARN), judged before any request.
 */
export function namespaceFlag(value: string | undefined, flag = '--namespace'): string | undefined {
  const problem = value === undefined ? undefined : httpNamespaceNameProblem(value);
  if (problem) throw new UsageError(`${flag}: ${problem}`);
  return value;
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

/**
 * --service given more than once (or meshctl.yaml's services): each service once, in the order first
 * named, a name and its ARN counting as one, so that no service is ever acted on twice; `warn` hears
 * which were repeated. Undefined stays undefined (the command's default applies).
 */
export function distinctServices(values: string[] | undefined, warn: (message: string) => void): string[] | undefined {
  if (values === undefined) return undefined;
  const byName = new Map<string, string>();
  const repeated = new Set<string>();
  for (const v of values) {
    const name = v.startsWith('arn:') ? nameOfArn(v) : v;
    if (byName.has(name)) repeated.add(name);
    else byName.set(name, v);
  }
  if (repeated.size)
    warn(`--service names ${[...repeated].join(', ')} more than once; each service is taken once: ${[...byName.values()].join(', ')}`);
  return [...byName.values()];
}

export { collect } from './declare.js';

/**
 * `meshctl <the user's own arguments>`, quoted, ready to paste: the options in `drop` are removed (with
 * their values, when they take one) and `add` is appended. The one argv rewriter for every resume command.
 */
export function resumeCommand(argv: readonly string[], change: { drop?: readonly OptionDecl[]; add?: readonly string[] } = {}): string {
  const drop = new Map((change.drop ?? []).map((o) => [optionName(o), takesValue(o)]));
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.split('=')[0]!;
    if (drop.has(name)) {
      if (!a.includes('=') && drop.get(name)) i++;
    } else args.push(a);
  }
  return `meshctl ${shellJoin([...args, ...(change.add ?? [])])}`;
}

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
