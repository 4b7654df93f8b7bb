import type { Command } from 'commander';
import { formatDuration, parseDuration } from '../core/duration.js';
import { shellJoin, shellQuote } from '../core/shell-quote.js';
import { AwsCallError, CheckFailedError, CommandFailedError, InterruptedError, UsageError, type MeshctlError } from '../errors.js';
import { exportLines } from '../sandbox/environment.js';
import { sandboxRun, type SandboxRunResult } from '../sandbox/run.js';
import { SANDBOX_FILES, WORLDS, type World } from '../sandbox/state.js';
import { WORLD_SUMMARIES } from '../sandbox/world-names.js';
import type { Deps } from '../runtime/context.js';
import {
  sandboxDown,
  sandboxReset,
  sandboxStatus,
  sandboxUp,
  type SandboxDeps,
  type SandboxDownResult,
  type SandboxInfo,
  type ProcessReport,
} from '../sandbox/lifecycle.js';
import type { Report } from '../ui/output.js';
import { checkAll, deferredProblems, intFlag } from './options/common.js';

const MAX_TASK_DELAY_MS = 10 * 60_000;

interface SandboxFlags {
  dir?: string;
  world?: string;
  port?: string;
  force?: boolean;
  taskDelay?: string;
  failNewTasks?: boolean;
}

/** --task-delay: a duration from 0 (new tasks start on the stand-in's next pass) to 10m. */
export function taskDelayFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\s*0+(\.0+)?(ms|s|m|h)?\s*$/.test(value)) return 0;
  const ms = parseDuration(value, '--task-delay');
  if (ms > MAX_TASK_DELAY_MS) throw new UsageError(`--task-delay: ${formatDuration(ms)} is too long (at most 10m)`);
  return ms;
}

export function toSandboxUpOptions(flags: SandboxFlags) {
  const [, dir, port, taskDelayMs] = checkAll(
    () => {
      if (flags.world !== undefined && !WORLDS.includes(flags.world as World))
        throw new UsageError(`--world: "${flags.world}" is not a sandbox world; choose ${WORLDS.join(' or ')}`);
    },
    () => dirFlag(flags),
    () => intFlag(flags.port, '--port', 1024, 65535),
    () => taskDelayFlag(flags.taskDelay) ?? 0,
  );
  return {
    dir,
    world: flags.world as World | undefined,
    port,
    force: flags.force === true,
    taskDelayMs,
    failNewTasks: flags.failNewTasks === true,
  };
}

/** Flags that would point the command elsewhere than the sandbox it runs against. */
const ELSEWHERE = ['--endpoint-url', '--profile'];

/** The meshctl command `sandbox run` runs: what follows `--`, a leading `meshctl` dropped. */
export function runCommandArg(words: readonly string[]): string[] {
  const command = words[0] === 'meshctl' ? words.slice(1) : [...words];
  if (command.length === 0)
    throw new UsageError('sandbox run: name the meshctl command to run after --, e.g. meshctl sandbox run -- rollout');
  const first = command.find((w) => !w.startsWith('-'));
  if (first === 'sandbox') throw new UsageError('sandbox run: the command runs against a sandbox; it cannot be a sandbox command itself');
  const away = command.find((w) => ELSEWHERE.includes(w.split('=')[0]!));
  if (away !== undefined) {
    throw new UsageError(
      `sandbox run: ${away.split('=')[0]} would point the command away from the sandbox; leave it out (run sets the endpoint, region and credentials)`,
    );
  }
  return command;
}

export function toSandboxRunOptions(flags: SandboxFlags & { json?: boolean }, words: readonly string[]) {
  const [up, command] = checkAll(
    () => toSandboxUpOptions({ ...flags, dir: flags.dir ?? '.' }),
    () => runCommandArg(words),
  );
  return { ...up, dir: flags.dir === undefined ? undefined : up.dir, command, captureStdout: flags.json === true };
}

/** What an exit code of a meshctl command means (the README's table). */
const EXIT_MEANINGS: Record<number, string> = {
  0: 'done',
  1: 'a check failed or a wait timed out',
  2: 'bad input',
  3: 'AWS (here: moto) refused a call',
  130: 'interrupted',
};

/** The one line that says where the command ended. */
export function runEndedLine(r: SandboxRunResult): string {
  const command = `meshctl ${shellJoin(r.command)}`;
  const how =
    r.exitCode !== null
      ? `ended with exit ${r.exitCode} (${EXIT_MEANINGS[r.exitCode] ?? 'not an exit code of meshctl'})`
      : `was ended by ${r.signal}`;
  const sandbox = r.reused ? `the sandbox in ${r.info.state.dir} runs on (it ran before)` : 'the sandbox is stopped and its files removed';
  const left = r.down?.left.length ? `, but for ${r.down.left.join(', ')} (changed since up wrote them)` : '';
  // A failed command's own "resume with" line names the sandbox just removed: the way back is run again.
  const again =
    !r.reused && r.exitCode !== null && ![0, 2, 130].includes(r.exitCode) && !r.interrupted
      ? `; to try again (a resume command above names the removed sandbox): meshctl sandbox run -- ${shellJoin(r.command)}`
      : '';
  return `sandbox run: ${command} ${how}${r.interrupted ? ' after the interrupt was passed on' : ''}; ${sandbox}${left}${again}`;
}

/**
 * sandbox run exits with the command's code, as the error of that code's class: 1, 2, 3 and 130 pass
 * through; a command ended by SIGINT or SIGTERM (or interrupted through run) is 130; any other end is 1.
 */
export function runFailure(r: SandboxRunResult): MeshctlError | undefined {
  const line = runEndedLine(r);
  if (r.interrupted || r.exitCode === 130 || r.signal === 'SIGINT' || r.signal === 'SIGTERM') return new InterruptedError(line);
  if (r.exitCode === 0) return undefined;
  if (r.exitCode === 2) return new UsageError(line);
  if (r.exitCode === 3) return new AwsCallError('sandbox run', 'CommandFailed', undefined, line);
  return new CheckFailedError(line);
}

/** The command's stdout for --json: its one JSON value when it printed one, else its text, null when nothing. */
const outputOf = (stdout: string | undefined): unknown => {
  if (stdout === undefined || stdout.trim() === '') return null;
  try {
    return JSON.parse(stdout);
  } catch {
    return stdout;
  }
};

/** run's result: nothing more on stdout than the command printed (the ended line goes to stderr); with --json one object. */
export function sandboxRunReport(r: SandboxRunResult): Report {
  const { state } = r.info;
  return {
    data: {
      ok: r.exitCode === 0 && !r.interrupted,
      reused: r.reused,
      world: state.world,
      dir: state.dir,
      endpoint: state.endpoint,
      command: r.command,
      exitCode: r.exitCode,
      signal: r.signal,
      interrupted: r.interrupted,
      ended: runEndedLine(r),
      output: outputOf(r.stdout),
      down: r.down ? { processes: r.down.processes, removed: r.down.removed, left: r.down.left, removedDir: r.down.removedDir } : null,
    },
    lines: [],
  };
}

function dirFlag(flags: SandboxFlags): string {
  if (flags.dir !== undefined && flags.dir.trim() === '') throw new UsageError('--dir: must name a folder');
  return flags.dir ?? '.';
}

const dirArg = (dir: string) => (dir === process.cwd() ? '' : ` --dir ${shellQuote(dir)}`);
const schedulerText = (info: SandboxInfo) => {
  const s = info.state.scheduler;
  return s
    ? `task delay ${s.taskDelayMs === 0 ? '0s' : formatDuration(s.taskDelayMs)}, new tasks ${s.failNewTasks ? 'fail (--fail-new-tasks)' : 'start'}`
    : 'not started';
};

/** up's result: on stdout the `export` lines (eval them), or one JSON object with --json. */
export function sandboxUpReport(info: SandboxInfo, reused: boolean): Report {
  const { state } = info;
  return {
    data: {
      ok: true,
      reused,
      world: state.world,
      dir: state.dir,
      endpoint: state.endpoint,
      port: state.port,
      region: state.region,
      env: info.env,
      profile: info.profile,
      processes: state.processes.map(({ name, pid }) => ({ name, pid })),
      scheduler: state.scheduler ?? null,
      stateFile: info.stateFile,
      files: state.files.map((f) => f.name),
    },
    lines: exportLines(info.env),
  };
}

/** What up says on stderr: where it runs, the profile way to reach it, and how to stop it. */
function upNotes(info: SandboxInfo): string[] {
  const { state } = info;
  const pid = (name: string) => state.processes.find((p) => p.name === name)?.pid ?? '-';
  return [
    `sandbox: the ${state.world} world runs at ${state.endpoint}: moto PID ${pid('moto')}, ECS scheduler stand-in PID ${pid('scheduler')} (${schedulerText(info)})`,
    `sandbox: in ${state.dir}: ${[...state.files.map((f) => f.name), SANDBOX_FILES.state].join(', ')}`,
    `sandbox: without the variables, use its profile: ${info.profile.usage} <command>`,
    `sandbox: stop it with: meshctl sandbox down${dirArg(state.dir)}`,
  ];
}

const STATUS_WORDS: Record<ProcessReport['status'], string> = {
  running: 'running',
  gone: 'not running',
  'not-ours': 'not running (the PID is another program now)',
};

export function sandboxStatusReport(r: Awaited<ReturnType<typeof sandboxStatus>>): Report {
  if (!r.info) {
    const none = { world: null, endpoint: null, port: null, region: null, createdAt: null, scheduler: null, files: [] };
    return { data: { running: false, dir: r.dir, ...none, processes: [] }, lines: [`no sandbox in ${r.dir}`] };
  }
  const { state } = r.info;
  const label = { moto: 'moto', scheduler: 'ECS scheduler stand-in' };
  return {
    data: {
      running: r.running,
      dir: r.dir,
      world: state.world,
      endpoint: state.endpoint,
      port: state.port,
      region: state.region,
      createdAt: state.createdAt,
      processes: r.processes.map((p) => ({ ...p, alive: p.status === 'running' })),
      scheduler: state.scheduler ?? null,
      files: state.files.map((f) => f.name),
    },
    lines: [
      `sandbox in ${r.dir}: the ${state.world} world at ${state.endpoint} (up since ${state.createdAt})`,
      ...r.processes.map((p) => `${label[p.name].padEnd(22)} PID ${String(p.pid).padEnd(8)} ${STATUS_WORDS[p.status]}`),
      ...(r.processes.some((p) => p.name === 'scheduler') ? [`scheduler: ${schedulerText(r.info)}`] : []),
    ],
  };
}

export function sandboxDownReport(r: SandboxDownResult): Report {
  const what = { moto: 'moto', scheduler: 'the ECS scheduler stand-in' };
  const said = {
    stopped: (p: SandboxDownResult['processes'][number]) => `stopped ${what[p.name]} (PID ${p.pid})`,
    gone: (p: SandboxDownResult['processes'][number]) => `${what[p.name]} (PID ${p.pid}) had already ended`,
    'not-ours': (p: SandboxDownResult['processes'][number]) => `left PID ${p.pid} alone: it is no longer ${what[p.name]}`,
  };
  return {
    data: { ...r, world: r.world ?? null, endpoint: r.endpoint ?? null },
    lines: r.found
      ? [
          ...r.processes.map((p) => said[p.outcome](p)),
          `removed from ${r.dir}: ${r.removed.join(', ') || 'nothing'}${r.removedDir ? ' (and the folder, which up had made)' : ''}`,
          ...(r.left.length > 0 ? [`left in ${r.dir}: ${r.left.join(', ')} (changed or replaced since up wrote them)`] : []),
        ]
      : [`no sandbox in ${r.dir}: nothing to stop`],
  };
}

export function sandboxResetReport(info: SandboxInfo): Report {
  const { state } = info;
  const scheduler = state.processes.find((p) => p.name === 'scheduler');
  return {
    data: {
      ok: true,
      world: state.world,
      dir: state.dir,
      endpoint: state.endpoint,
      processes: state.processes.map(({ name, pid }) => ({ name, pid })),
      scheduler: state.scheduler ?? null,
    },
    lines: [
      `reseeded the ${state.world} world at ${state.endpoint}; ${SANDBOX_FILES.cfnOutput} rewritten; ECS scheduler stand-in PID ${scheduler?.pid} (${schedulerText(info)})`,
    ],
  };
}

const sandboxDeps = (deps: Deps): SandboxDeps => ({ env: deps.env, signal: deps.signal, info: (line) => deps.ui.info(line) });

const WORLD_HELP = WORLDS.map((w) => `  ${w.padEnd(9)} ${WORLD_SUMMARIES[w]}`).join('\n');

export function registerSandbox(program: Command, deps: Deps): void {
  const sandbox = program
    .command('sandbox')
    .description(
      'run the workshop on a laptop: a local moto emulator seeded with the workshop (or the console runbook) and a stand-in ECS scheduler',
    );
  sandbox
    .command('up')
    .description('start moto on a free loopback port, seed a world, write cfn-output.json and print the environment to use')
    .option('--world <name>', `what to seed: ${WORLDS.join(' or ')} (default: workshop)`)
    .option('--port <port>', 'the loopback port (default: a free one)')
    .option('--dir <folder>', 'the sandbox folder: cfn-output.json, profile files, logs, state (default: .)')
    .option('--force', 'replace cfn-output.json, config, credentials or logs already in the folder')
    .option('--task-delay <duration>', "how long the scheduler stand-in waits before starting a new revision's tasks (default: 0s)")
    .option('--fail-new-tasks', "make the new revision's tasks stop at once, to try the failure paths (rollback, --rollback-on-failure)")
    .addHelpText(
      'after',
      `
Examples:
  sandbox_env="$(meshctl sandbox up)" && eval "$sandbox_env" && meshctl rollout; meshctl sandbox down
  meshctl sandbox up --world runbook --dir .sandbox --json
  meshctl sandbox up --task-delay 5s --fail-new-tasks

Worlds:
${WORLD_HELP}

Needs python3 with moto 5.2.x: python3 -m pip install 'moto[server]==5.2.1' (else exit 2).
stdout: export lines for AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (dummy)
and MESHCTL_SANDBOX, shell-quoted; with --json one object. The folder also gets a profile
meshctl-sandbox (files config and credentials): AWS_CONFIG_FILE=… AWS_SHARED_CREDENTIALS_FILE=…
AWS_PROFILE=meshctl-sandbox meshctl <command> (the SDK reads the profile's endpoint_url only through
AWS_PROFILE). moto and the stand-in run detached, bound to 127.0.0.1, recorded by PID (with the files
up wrote and a random token) in .meshctl-sandbox.json and in a private record under
$XDG_STATE_HOME/meshctl (else ~/.local/state/meshctl), both mode 0600; a second up in the folder prints
the same environment.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const [opts] = checkAll(
        () => toSandboxUpOptions(cmd.optsWithGlobals<SandboxFlags>()),
        () => deferredProblems(cmd),
      );
      const result = await sandboxUp(sandboxDeps(deps), opts);
      if (!result.reused) for (const line of upNotes(result)) deps.ui.info(line);
      deps.ui.result(sandboxUpReport(result, result.reused));
    });
  sandbox
    .command('run')
    .description("start a sandbox, run one meshctl command against it, stop the sandbox whatever happened; exit with the command's code")
    .usage('[options] -- <meshctl command…>')
    .argument('<command...>', 'the meshctl command and its flags, after --')
    .option('--world <name>', `what to seed: ${WORLDS.join(' or ')} (default: workshop)`)
    .option('--dir <folder>', 'the sandbox folder (default: a new folder in the temp folder, removed at the end)')
    .option('--port <port>', 'the loopback port (default: a free one)')
    .option('--task-delay <duration>', "how long the scheduler stand-in waits before starting a new revision's tasks (default: 0s)")
    .option('--fail-new-tasks', "make the new revision's tasks stop at once, to try the failure paths")
    .addHelpText(
      'after',
      `
Examples:
  meshctl sandbox run -- rollout
  meshctl sandbox run --world runbook -- migrate plan --all-services
  meshctl sandbox run --json -- doctor --json

The command runs as a child of the same node and build, with the sandbox's environment (endpoint,
region, dummy credentials, MESHCTL_SANDBOX, its own AWS config and credentials files; no other AWS_
variable of yours) and --cfn-output pointing at the sandbox's cfn-output.json unless the command names
one. Its output passes through; then one line on stderr says how it ended, the sandbox is stopped as
sandbox down stops it (a sandbox already running in --dir is used and left running), and run exits
with the command's code. Ctrl-C: the command gets SIGINT, ends, the sandbox is stopped, exit 130.
--json: one object (the command's stdout inside it, as "output").`,
    )
    .action(async (words: string[], _local: unknown, cmd: Command) => {
      const [opts] = checkAll(
        () => toSandboxRunOptions(cmd.optsWithGlobals<SandboxFlags & { json?: boolean }>(), words),
        () => deferredProblems(cmd),
      );
      const result = await sandboxRun(sandboxDeps(deps), opts);
      const report = sandboxRunReport(result);
      const failure = runFailure(result);
      if (failure) throw new CommandFailedError(failure, report);
      deps.ui.info(runEndedLine(result));
      deps.ui.result(report);
    });
  sandbox
    .command('status')
    .description("the sandbox's endpoint, world and processes, and whether each still runs (exit 1 when not)")
    .option('--dir <folder>', 'the sandbox folder (default: .)')
    .addHelpText('after', '\nExamples:\n  meshctl sandbox status\n  meshctl sandbox status --dir .sandbox --json')
    .action(async (_local: unknown, cmd: Command) => {
      const [dir] = checkAll(
        () => dirFlag(cmd.optsWithGlobals<SandboxFlags>()),
        () => deferredProblems(cmd),
      );
      const r = await sandboxStatus(deps, dir);
      const report = sandboxStatusReport(r);
      if (!r.running) {
        const why = r.info
          ? `the sandbox in ${r.dir} is not running; meshctl sandbox down${dirArg(r.dir)} cleans it up`
          : `no sandbox in ${r.dir}`;
        throw new CommandFailedError(new CheckFailedError(`sandbox: ${why}`), report);
      }
      deps.ui.result(report);
    });
  sandbox
    .command('down')
    .description('stop the moto and stand-in up started and remove the files it wrote, unchanged ones only')
    .option('--dir <folder>', 'the sandbox folder (default: .)')
    .addHelpText(
      'after',
      `
Examples:
  meshctl sandbox down
  meshctl sandbox down --dir .sandbox --json

down acts on meshctl's private record of the sandbox (under $XDG_STATE_HOME/meshctl or
~/.local/state/meshctl), never on what the folder's state file lists: a state file without that record
(a copied or cloned folder) or with another token is refused, exit 2, nothing stopped or removed.
A PID is signalled only while its command line still runs the launcher's or the stand-in's exact path;
a PID that now belongs to another program is left alone and said so. A file up wrote is removed only
while unchanged (others are left and listed); the folder only when up made it and it is empty.
No sandbox in the folder: exit 0, nothing to do.`,
    )
    .action(async (_local: unknown, cmd: Command) => {
      const [dir] = checkAll(
        () => dirFlag(cmd.optsWithGlobals<SandboxFlags>()),
        () => deferredProblems(cmd),
      );
      deps.ui.result(sandboxDownReport(await sandboxDown(sandboxDeps(deps), dir)));
    });
  sandbox
    .command('reset')
    .description('empty moto and seed the world again (cfn-output.json rewritten); the stand-in restarts')
    .option('--dir <folder>', 'the sandbox folder (default: .)')
    .option('--task-delay <duration>', 'a new delay for the scheduler stand-in (default: as before)')
    .option('--fail-new-tasks', "from now on, the new revision's tasks stop at once")
    .option('--no-fail-new-tasks', "from now on, the new revision's tasks start")
    .addHelpText('after', '\nExamples:\n  meshctl sandbox reset\n  meshctl sandbox reset --fail-new-tasks --task-delay 2s')
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<SandboxFlags>();
      const [dir, taskDelayMs] = checkAll(
        () => dirFlag(flags),
        () => taskDelayFlag(flags.taskDelay),
        () => deferredProblems(cmd),
      );
      const info = await sandboxReset(sandboxDeps(deps), dir, { taskDelayMs, failNewTasks: flags.failNewTasks });
      deps.ui.result(sandboxResetReport(info));
    });
}
