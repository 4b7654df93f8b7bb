import { Command, CommanderError } from 'commander';
import { createAwsClients } from './aws/clients.js';
import { escapeControlsButNewlines } from './core/escape.js';
import { resumeCommand } from './cli/options/common.js';
import { addGlobalOptions, GLOBAL_VALUE_OPTIONS } from './cli/options/global.js';
import { AwsCallError, CommandFailedError, InterruptedError, MeshctlError, UsageError } from './errors.js';
import type { Deps } from './runtime/context.js';
import { realClock } from './steps/clock.js';
import { colorFor } from './ui/color.js';
import { createUi, isCi, type ErrorInfo, type ErrorKind, type GithubActions, type ProgramUi, type UiFacts } from './ui/output.js';

/** package.json's version, put in by the build (scripts/build.mjs) and by vitest.config.ts: one source. */
declare const __MESHCTL_VERSION__: string;
const VERSION = __MESHCTL_VERSION__;

type Register = (program: Command, deps: Deps) => void;

/**
 * Each command's module, loaded only when that command runs: a start parses only its own code.
 * (Help for all commands comes from the cache bin/meshctl.js reads, made from this same program.)
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  'add-envoy': async () => (await import('./cli/add-envoy.js')).registerAddEnvoy,
  'update-service': async () => (await import('./cli/update-service.js')).registerUpdateService,
  'wait-running': async () => (await import('./cli/wait-running.js')).registerWaitRunning,
  verify: async () => (await import('./cli/verify.js')).registerVerify,
  rollout: async () => (await import('./cli/rollout.js')).registerRollout,
  rollback: async () => (await import('./cli/rollback.js')).registerRollback,
  migrate: async () => (await import('./cli/migrate/index.js')).registerMigrate,
  doctor: async () => (await import('./cli/doctor.js')).registerDoctor,
  mesh: async () => (await import('./cli/mesh.js')).registerMesh,
  sandbox: async () => (await import('./cli/sandbox.js')).registerSandbox,
  completion: async () => (await import('./cli/completion.js')).registerCompletion,
};

/** Commands that read the whole program (every command's flags), so every command is registered for them. */
const WHOLE_PROGRAM = new Set(['completion']);

/** The command the arguments name, or undefined (no command, an unknown one, help). */
export function commandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (GLOBAL_VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return Object.hasOwn(COMMANDS, a) ? a : undefined;
  }
  return undefined;
}

/** The commands that have subcommands (`migrate apply`); the others take no word after their name. */
const WITH_SUBCOMMANDS = new Set(['migrate', 'mesh', 'sandbox']);

/** The command's words for a title (`rollout`, `migrate apply`), or `meshctl` when there is none. */
export function commandWordsOf(args: readonly string[]): string {
  const command = commandOf(args);
  if (!command) return 'meshctl';
  if (!WITH_SUBCOMMANDS.has(command)) return command;
  const rest = args.slice(args.indexOf(command) + 1);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (GLOBAL_VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return /^[a-z][a-z-]*$/.test(a) ? `${command} ${a}` : command;
  }
  return command;
}

/**
 * GitHub Actions (`GITHUB_ACTIONS=true`, as the runner sets it): failures become annotations and every
 * outcome goes to GITHUB_STEP_SUMMARY when it is set. Outside GitHub Actions neither happens, even with
 * GITHUB_STEP_SUMMARY set (a variable copied into a shell is no step to summarise).
 */
async function githubActionsOf(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<GithubActions | undefined> {
  if (env.GITHUB_ACTIONS !== 'true') return undefined;
  const path = env.GITHUB_STEP_SUMMARY;
  // Loaded only here: a run outside GitHub Actions does not pay for it.
  const appendToFile = path ? (await import('./runtime/files.js')).appendToFile : undefined;
  return {
    command: commandWordsOf(args),
    appendSummary: path && appendToFile ? (markdown) => appendToFile(path, markdown, 'GITHUB_STEP_SUMMARY') : undefined,
  };
}

/** Builds the commander program with the command `args` name, or with every command. */
export async function buildProgram(deps: Deps, args: readonly string[] = []): Promise<Command> {
  // -V first, then the global options: the order --help shows.
  const program = addGlobalOptions(new Command('meshctl').version(VERSION, '-V, --version'))
    .description(
      [
        'Take Amazon ECS services off AWS App Mesh, which ended on 2026-09-30, to ECS Service Connect:',
        'planned from what still exists, servers before clients, in place or blue/green, checked,',
        "reversible, cleaned up. And run the App Mesh workshop's steps (add envoy, roll out, wait, verify)",
        'on a local sandbox.',
      ].join(' '),
    )
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      // commander's own messages quote what was typed (an unknown command, option or value): escaped as every message is.
      writeOut: (s) => process.stdout.write(escapeControlsButNewlines(s)),
      writeErr: (s) => process.stderr.write(escapeControlsButNewlines(s)),
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 done · 1 a check failed or a wait timed out · 2 bad input · 3 AWS error · 130 interrupted
Run "meshctl <command> --help" for a command's flags and examples.`,
    );
  // The config file, read once, before the command's action and so before any AWS call; its module loads only then.
  program.hook('preAction', async (_program, action) => (await import('./cli/options/config.js')).applyConfigFile(action, deps));
  const one = commandOf(args);
  for (const name of one && !WHOLE_PROGRAM.has(one) ? [one] : Object.keys(COMMANDS)) (await COMMANDS[name]!())(program, deps);
  const all = (cmds: readonly Command[]): Command[] => cmds.flatMap((c) => [c, ...all(c.commands)]);
  for (const cmd of all(program.commands)) cmd.exitOverride();
  return program;
}

/** Reads one answer from the terminal; only `yes` confirms. */
async function askYes(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}

/** The error a CommandFailedError wraps (its operation and hint are the cause's). */
function rootOf(err: MeshctlError): MeshctlError {
  return err instanceof CommandFailedError ? rootOf(err.cause) : err;
}

/** An error's kind in --json: a CommandFailedError has its cause's, anything but a MeshctlError is a bug. */
export function errorKind(err: unknown): ErrorKind {
  return err instanceof MeshctlError ? err.kind : 'bug';
}

/** commander's own message: `error: ` goes (the JSON says it is one); help shown for a missing command gets a sentence. */
function commanderMessage(err: CommanderError, argv: readonly string[]): string {
  if (err.code === 'commander.help') {
    const command = commandOf(argv);
    return command
      ? `"${command}" needs a subcommand; its help on stderr lists them`
      : 'no command given; the help on stderr lists the commands';
  }
  return err.message.replace(/^error: /, '').trim();
}

/** The one place errors become messages and exit codes. */
export function reportError(err: unknown, ui: ProgramUi, argv: readonly string[]): number {
  const info = (exitCode: number, kind: ErrorKind, message: string, cause?: MeshctlError): ErrorInfo => ({
    exitCode,
    kind,
    message,
    operation: cause instanceof AwsCallError ? cause.operation : null,
    hint: (cause instanceof AwsCallError ? cause.hint : undefined) ?? null,
    problems: kind === 'usage' || kind === 'input' ? [...(cause instanceof UsageError ? cause.problems : [message])] : [],
  });
  if (err instanceof CommanderError) {
    // commander has printed its own message (or the help). Help and --version are not failures.
    if (err.exitCode === 0) return 0;
    ui.failure({ error: info(2, 'usage', commanderMessage(err, argv)) });
    return 2;
  }
  if (err instanceof MeshctlError) {
    const failed = err instanceof CommandFailedError ? err : undefined;
    const root = rootOf(err);
    const interrupted = root instanceof InterruptedError;
    // Interrupted with nothing half-done: running the same command again resumes.
    const resume = failed?.next ?? (interrupted ? resumeCommand(argv) : undefined);
    ui.failure({ error: info(err.exitCode, errorKind(err), err.message, root), report: failed?.report, resumeCommand: resume });
    ui.error(err.message);
    if (failed?.next) ui.info(`${failed.nextLabel}: ${failed.next}`);
    else if (interrupted) ui.info(`nothing is left half-done by this command; run it again to resume: ${resume}`);
    if (ui.verboseEnabled && err.stack) ui.verbose(err.stack);
    return err.exitCode;
  }
  const e = err as Error;
  const message = `meshctl bug: ${e?.message ?? String(err)}. Please report it with the output of the same command run with --verbose.`;
  ui.failure({ error: info(1, 'bug', message) });
  ui.error(message);
  if (ui.verboseEnabled && e?.stack) ui.verbose(e.stack);
  return 1;
}

export async function main(argv: readonly string[]): Promise<void> {
  const args = argv.slice(2);
  const env = process.env;
  // The SDK warns on every run that its 2027 releases need Node 22; meshctl pins its SDK, so the
  // notice is ours to act on (see docs/configuration.md), not the user's to read in every CI log.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Only meshctl's own flags: after `--` they belong to another command (sandbox run's).
  const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  const has = (flag: string) => own.includes(flag);
  const facts: UiFacts = {
    stderrIsTTY: process.stderr.isTTY === true,
    ci: isCi(env.CI),
    json: has('--json'),
    color: !has('--no-color') && !(env.NO_COLOR !== undefined && env.NO_COLOR !== ''),
    verbose: has('--verbose'),
  };
  const streams = { stdout: process.stdout, stderr: process.stderr };
  const ui = createUi(facts, streams, await colorFor(facts.stderrIsTTY, facts.color), await githubActionsOf(env, args));
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // A second signal: the user wants out now. Not process.exit, which waits for the thread pool (a read
      // blocked in it, a FIFO say, would hold it for ever): the signal's own default action ends the
      // process at once (128 + the signal's number: 130 for SIGINT), with the cursor a spinner hid shown again.
      if (facts.stderrIsTTY) process.stderr.write('\u001b[?25h');
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    ui.info(`\n${signal}: stopping at the next safe point…`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const deps: Deps = { ui, clock: realClock, signal: controller.signal, env, argv: args, awsClients: createAwsClients };
  if (process.stdin.isTTY && process.stderr.isTTY && !isCi(env.CI)) deps.confirm = (question) => askYes(question);
  try {
    await (await buildProgram(deps, args)).parseAsync(args, { from: 'user' });
  } catch (err) {
    process.exitCode = reportError(err, ui, args);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Everything meshctl had to say is written (stdout and stderr are synchronous on Linux for files,
    // pipes and terminals). Should a handle outlive the command (seen now and then after Ctrl-C in a
    // terminal: an SDK socket or a timer of a stopped spinner), the process still ends, with its exit
    // code; the timer is unref'd, so a process with nothing left pending ends at once without it.
    setTimeout(() => process.exit(), 200).unref();
  }
}
