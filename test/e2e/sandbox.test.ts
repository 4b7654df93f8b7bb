import { AppMeshClient, CreateMeshCommand, CreateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLineOf, isSameProcess } from '../../src/sandbox/processes.js';
import type { SandboxState } from '../../src/sandbox/state.js';
import { motoEnv, runCli as runCliAnywhere, type CliOptions, type CliResult } from '../support/cli.js';
import { freePort, motoArgs, waitForMoto } from '../../src/sandbox/moto.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { projectRoot } from '../support/paths.js';

const CURRENT_ENVOY = '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.0.0-prod';
const LAUNCHER = join(projectRoot(), 'dist/moto_launcher.py');
const SCHEDULER = join(projectRoot(), 'dist/sandbox-scheduler.js');

/** The variables `export X=...` lines set (the values sandbox up prints need no unquoting). */
const exportsOf = (stdout: string): Record<string, string> =>
  Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l)!.slice(1, 3) as [string, string]),
  );

/** The user's state directory of this file's runs (HOME is the test's folder, which must end empty). */
const STATE_HOME = mkdtempSync(join(tmpdir(), 'meshctl-sandbox-state-'));
const runCli = (args: string[], options: CliOptions = {}) =>
  runCliAnywhere(args, { ...options, env: { XDG_STATE_HOME: STATE_HOME, ...options.env } });

const stateOf = (dir: string): SandboxState => JSON.parse(readFileSync(join(dir, '.meshctl-sandbox.json'), 'utf8')) as SandboxState;

/** Every process on the machine that runs `path` with `option` (Linux: /proc). */
const processesWith = (p: Pick<SandboxState['processes'][number], 'path' | 'option'>) =>
  readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      const line = commandLineOf(Number(pid));
      return line !== undefined && isSameProcess(line, p);
    });

/**
 * One sandbox for a describe block, started once (the suite's added time stays small) and always
 * stopped: `sandbox down`, then SIGKILL for any recorded PID that is still the process up started.
 */
function useSandbox(args: string[], where: 'cwd' | 'subfolder') {
  const s = {
    root: '',
    dir: '',
    up: undefined as unknown as CliResult,
    state: undefined as unknown as SandboxState,
    env: {} as Record<string, string>,
  };
  let recorded: SandboxState['processes'] = [];
  beforeAll(async () => {
    s.root = mkdtempSync(join(tmpdir(), 'meshctl-sandbox-'));
    s.dir = where === 'cwd' ? s.root : join(s.root, '.sandbox');
    s.up = await runCli(['sandbox', 'up', ...(where === 'cwd' ? [] : ['--dir', s.dir]), ...args], { cwd: s.root });
    if (existsSync(join(s.dir, '.meshctl-sandbox.json'))) {
      s.state = stateOf(s.dir);
      recorded = s.state.processes;
    }
    if (s.up.code === 0) s.env = args.includes('--json') ? JSON.parse(s.up.stdout).env : exportsOf(s.up.stdout);
  }, 90_000);
  afterAll(async () => {
    if (existsSync(join(s.dir, '.meshctl-sandbox.json'))) await runCli(['sandbox', 'down', '--dir', s.dir], { cwd: s.root });
    for (const p of recorded) {
      const line = commandLineOf(p.pid);
      if (line && isSameProcess(line, p)) process.kill(p.pid, 'SIGKILL');
    }
  }, 60_000);
  return s;
}

/** meshctl in the sandbox folder with the environment `sandbox up` printed. */
const inSandbox = (s: ReturnType<typeof useSandbox>, args: string[], extra: Record<string, string | undefined> = {}) =>
  runCli(args, { cwd: s.dir, env: { ...s.env, ...extra } });

describe.sequential('sandbox up → rollout → doctor → migrate plan → down: the workshop world', () => {
  const s = useSandbox([], 'subfolder');

  it('starts moto on loopback and the stand-in, prints the environment, writes its files (state 0600)', () => {
    expect(s.up.code, s.up.stderr).toBe(0);
    expect(s.up.stdout).toMatch(
      /^export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+\nexport AWS_REGION=us-west-2\nexport AWS_ACCESS_KEY_ID=testing\nexport AWS_SECRET_ACCESS_KEY=testing\nexport MESHCTL_SANDBOX=http:\/\/127\.0\.0\.1:\d+\n$/,
    );
    expect(s.env.AWS_ENDPOINT_URL).toBe(s.state.endpoint);
    expect(readdirSync(s.dir).sort()).toEqual([
      '.meshctl-sandbox.json',
      'cfn-output.json',
      'config',
      'credentials',
      'moto.log',
      'scheduler.log',
    ]);
    expect(statSync(join(s.dir, '.meshctl-sandbox.json')).mode & 0o777).toBe(0o600);
    expect(s.state).toMatchObject({ version: 2, world: 'workshop', dir: s.dir, createdDir: true, region: 'us-west-2' });
    // The private record: the same state, under the user's state directory, 0600 in a 0700 folder.
    const records = join(STATE_HOME, 'meshctl/sandboxes');
    expect(statSync(records).mode & 0o777).toBe(0o700);
    const record = readdirSync(records).find((f) => readFileSync(join(records, f), 'utf8').includes(s.state.token));
    expect(record).toBeDefined();
    expect(statSync(join(records, record!)).mode & 0o777).toBe(0o600);
    expect(s.state.files.map((f) => f.name).sort()).toEqual(['cfn-output.json', 'config', 'credentials', 'moto.log', 'scheduler.log']);
    expect(JSON.parse(readFileSync(join(s.dir, 'cfn-output.json'), 'utf8'))).toMatchObject({
      CrystalTaskDefinition: expect.stringMatching(/task-definition\/appmesh-workshop-crystal-lb-vanilla:1$/),
      EcsClusterName: 'appmesh-workshop',
      RubyAutoScalingGroupName: 'appmesh-workshop-ruby-asg',
    });
    expect(readFileSync(join(s.dir, 'config'), 'utf8')).toBe(
      `[profile meshctl-sandbox]\nregion = us-west-2\nendpoint_url = ${s.state.endpoint}\n`,
    );
    expect(s.up.stderr).toMatch(
      /AWS_CONFIG_FILE=\S+\/config AWS_SHARED_CREDENTIALS_FILE=\S+\/credentials AWS_PROFILE=meshctl-sandbox meshctl <command>/,
    );
    expect(s.up.stderr).toMatch(/stop it with: meshctl sandbox down --dir /);
    // The recorded PIDs are the launcher shipped in dist/ and the stand-in, detached (their parent is not this test).
    const [moto, scheduler] = s.state.processes;
    expect(commandLineOf(moto!.pid)).toEqual(expect.arrayContaining([LAUNCHER, '-H', '127.0.0.1', '-p', String(s.state.port)]));
    expect(commandLineOf(scheduler!.pid)).toEqual(expect.arrayContaining([SCHEDULER, '--endpoint', s.state.endpoint]));
    expect(moto).toMatchObject({ path: LAUNCHER, option: ['-p', String(s.state.port)] });
    expect(scheduler).toMatchObject({ path: SCHEDULER, option: ['--endpoint', s.state.endpoint] });
    // Bound to 127.0.0.1 only: /proc/net/tcp lists the listening socket with address 0100007F (little-endian 127.0.0.1).
    const port = s.state.port.toString(16).toUpperCase().padStart(4, '0');
    const listening = readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .filter((l) => / 0A /.test(l) && l.includes(`:${port} `));
    expect(listening.map((l) => l.trim().split(/\s+/)[1])).toEqual([`0100007F:${port}`]);
  });

  it('a second up in the folder prints the same environment and starts no second server', async () => {
    const again = await runCli(['sandbox', 'up', '--dir', s.dir], { cwd: s.root });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(s.up.stdout);
    expect(again.stderr).toMatch(/already running in .* \(workshop world, http:\/\/127\.0\.0\.1:\d+\); nothing started/);
    expect(stateOf(s.dir).processes).toEqual(s.state.processes);
    expect(processesWith(s.state.processes[0]!)).toEqual([String(s.state.processes[0]!.pid)]);
    const other = await runCli(['sandbox', 'up', '--dir', s.dir, '--world', 'runbook'], { cwd: s.root });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/the workshop world already runs in .*; run meshctl sandbox down --dir .* first/);
  });

  it("rollout: add-envoy, update-service and wait-running pass (the stand-in plays ECS); verify ends with moto's empty SSM answer, said honestly", async () => {
    const r = await inSandbox(s, ['rollout']);
    expect(r.code, r.stderr).toBe(1);
    expect(
      r.stderr.match(/^sandbox: talking to the local meshctl sandbox \(moto at http:\/\/127\.0\.0\.1:\d+\), not to AWS$/gm),
    ).toHaveLength(1);
    expect(r.stderr).toMatch(/✔ wait-running · 3\/3 RUNNING/);
    expect(r.stderr).toMatch(
      /error: verify failed: the check printed no output, which is the expected end in the sandbox: its emulator \(moto\) accepts SSM SendCommand and reports Success but runs nothing/,
    );
    expect(r.stderr).not.toMatch(/SSM agent running/);
    expect(r.stderr).toMatch(/resume with: meshctl rollout --from verify/);
  });

  it('doctor: the seeded task role has AWSAppMeshEnvoyAccess, every check passes or warns', async () => {
    const r = await inSandbox(s, ['doctor']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /✔ the task role allows appmesh:StreamAggregatedResources: role appmesh-workshop-TaskIamRole: allowed by AWSAppMeshEnvoyAccess/,
    );
    expect(r.stdout).toMatch(/✔ the virtual node envoy names exists/);
  });

  it('migrate plan: crystal-service-lb keeps the name its clients call, from the private zone', async () => {
    const r = await inSandbox(s, ['migrate', 'plan', '--all-services', '--create-namespace', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.waves.map((w: { services: string[] }) => w.services)).toEqual([['crystal-service-lb']]);
    expect(out.services[0].listeners[0].alias).toEqual({ dnsName: 'crystal.appmeshworkshop.hosted.local', port: 3000 });
  });

  it('the profile files reach the sandbox without the exported variables', async () => {
    const r = await runCli(['wait-running', '--timeout', '10s'], {
      cwd: s.dir,
      env: {
        AWS_CONFIG_FILE: join(s.dir, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(s.dir, 'credentials'),
        AWS_PROFILE: 'meshctl-sandbox',
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^sandbox: talking to the local meshctl sandbox \(profile meshctl-sandbox\), not to AWS$/m);
  });

  it('reset reseeds the world and rewrites cfn-output.json; with --fail-new-tasks the next rollout fails at wait-running', async () => {
    const reset = await runCli(['sandbox', 'reset', '--dir', s.dir, '--fail-new-tasks'], { cwd: s.root });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/^reseeded the workshop world at http:\/\/127\.0\.0\.1:\d+; cfn-output\.json rewritten; .*new tasks fail/);
    expect(stateOf(s.dir).processes[0]).toEqual(s.state.processes[0]);
    const r = await inSandbox(s, ['rollout', '--envoy-image', CURRENT_ENVOY, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    // A fresh world: add-envoy registered :2 again.
    expect(out).toMatchObject({ failedStep: 'wait-running', addEnvoy: { taskDefinitionArn: expect.stringMatching(/:2$/) } });
    expect(r.stderr).toMatch(/stopped: Essential container in task exited/);
  });

  it('status --json: the endpoint, the world and each PID alive', async () => {
    const r = await runCli(['sandbox', 'status', '--dir', s.dir, '--json'], { cwd: s.root });
    expect(r.code, r.stderr).toBe(0);
    expectJsonMatchesSchema('sandbox status', r.stdout);
    expect(JSON.parse(r.stdout)).toMatchObject({
      running: true,
      world: 'workshop',
      endpoint: s.state.endpoint,
      processes: [
        { name: 'moto', pid: s.state.processes[0]!.pid, alive: true },
        { name: 'scheduler', alive: true },
      ],
    });
  });

  it("down in a copy of the folder (with the user's keep.txt, and an unrelated process that holds the launcher's words) refuses: exit 2, everything survives", async () => {
    const copy = join(s.root, 'copy');
    cpSync(s.dir, copy, { recursive: true });
    writeFileSync(join(copy, 'keep.txt'), 'mine\n');
    const unrelated = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', LAUNCHER, '-p', String(s.state.port)], {
      stdio: 'ignore',
    });
    try {
      await new Promise((r) => unrelated.once('spawn', r));
      // The copy's state as a hostile hand would edit it: the user's file and the unrelated PID listed too.
      const keep = lstatSync(join(copy, 'keep.txt'));
      const edited = stateOf(copy);
      edited.files.push({ name: 'keep.txt', size: keep.size, mtimeMs: keep.mtimeMs, ino: keep.ino });
      edited.processes.push({ name: 'moto', pid: unrelated.pid!, path: LAUNCHER, option: ['-p', String(s.state.port)] });
      writeFileSync(join(copy, '.meshctl-sandbox.json'), JSON.stringify(edited));
      const before = readdirSync(copy).sort();
      const r = await runCli(['sandbox', 'down', '--dir', copy], { cwd: s.root });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^error: sandbox: .*\/copy\/\.meshctl-sandbox\.json was not written by a sandbox up of yours in this folder: .*stopped, removed and changed nothing/,
      );
      expect(r.stdout).toBe('');
      expect(readdirSync(copy).sort()).toEqual(before);
      expect(readFileSync(join(copy, 'keep.txt'), 'utf8')).toBe('mine\n');
      expect(unrelated.exitCode === null && unrelated.signalCode === null).toBe(true);
      for (const p of stateOf(s.dir).processes) expect(commandLineOf(p.pid), `PID ${p.pid}`).toBeDefined();
      // status and reset refuse the copy the same way; the original sandbox still runs.
      expect((await runCli(['sandbox', 'status', '--dir', copy], { cwd: s.root })).code).toBe(2);
      expect((await runCli(['sandbox', 'reset', '--dir', copy], { cwd: s.root })).code).toBe(2);
      expect((await runCli(['sandbox', 'status', '--dir', s.dir], { cwd: s.root })).code).toBe(0);
    } finally {
      unrelated.kill('SIGKILL');
      rmSync(copy, { recursive: true });
    }
  });

  it('down stops exactly the recorded PIDs and leaves no file and no folder behind', async () => {
    const pids = stateOf(s.dir).processes.map((p) => p.pid);
    const r = await runCli(['sandbox', 'down', '--dir', s.dir], { cwd: s.root });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^stopped the ECS scheduler stand-in \(PID \d+\)\nstopped moto \(PID \d+\)\nremoved from /);
    for (const pid of pids) expect(commandLineOf(pid), `PID ${pid}`).toBeUndefined();
    expect(readdirSync(s.root)).toEqual([]);
    expect(
      readdirSync(join(STATE_HOME, 'meshctl/sandboxes')).filter((f) =>
        readFileSync(join(STATE_HOME, 'meshctl/sandboxes', f), 'utf8').includes(s.state.token),
      ),
    ).toEqual([]);
    const status = await runCli(['sandbox', 'status', '--dir', s.dir], { cwd: s.root });
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/error: sandbox: no sandbox in /);
    const json = await runCli(['sandbox', 'status', '--dir', s.dir, '--json'], { cwd: s.root });
    expect(json.code).toBe(1);
    expect(expectJsonMatchesSchema('sandbox status', json.stdout)).toMatchObject({
      running: false,
      world: null,
      endpoint: null,
      processes: [],
    });
  });
});

describe.sequential('sandbox up --world runbook → rollout → doctor → migrate plan → down', () => {
  const s = useSandbox(['--world', 'runbook', '--json'], 'cwd');

  it('--json: one object with the environment, the profile and the PIDs', () => {
    expect(s.up.code, s.up.stderr).toBe(0);
    const out = expectJsonMatchesSchema('sandbox up', s.up.stdout);
    expect(out).toMatchObject({
      ok: true,
      reused: false,
      world: 'runbook',
      env: { AWS_REGION: 'us-west-2' },
      profile: { name: 'meshctl-sandbox' },
    });
    expect((out.processes as { name: string }[]).map((p: { name: string }) => p.name)).toEqual(['moto', 'scheduler']);
    expect(JSON.parse(readFileSync(join(s.dir, 'cfn-output.json'), 'utf8'))).toMatchObject({ EcsClusterName: 'local-cluster' });
  });

  it('rollout --all-services: payments and products already run envoy, nothing to do', async () => {
    const r = await inSandbox(s, ['rollout', '--all-services']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^payments: unchanged\nproducts: unchanged\n0 rolled out, 2 already had envoy/);
  });

  it("doctor --service products: every check passes (Cloud Map, the node's listener, the task role)", async () => {
    const r = await inSandbox(s, ['doctor', '--service', 'products']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✔ the node's Cloud Map service is the ECS service's registry/);
    expect(r.stdout).toMatch(/all 9 checks passed/);
  });

  it('migrate plan --all-services: products goes after payments, which it calls', async () => {
    const r = await inSandbox(s, ['migrate', 'plan', '--all-services', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.waves.map((w: { services: string[] }) => w.services)).toEqual([['payments'], ['products']]);
    expect(out.services.find((x: { service: string }) => x.service === 'products').backends).toEqual([
      expect.objectContaining({ name: 'payments.local', servedBy: 'payments' }),
    ]);
  });

  it('down stops both PIDs and removes what up wrote; the folder it did not make stays, empty', async () => {
    const pids = stateOf(s.dir).processes.map((p) => p.pid);
    const r = await runCli(['sandbox', 'down', '--json'], { cwd: s.dir });
    expect(r.code, r.stderr).toBe(0);
    expectJsonMatchesSchema('sandbox down', r.stdout);
    expect(JSON.parse(r.stdout)).toMatchObject({
      found: true,
      removedDir: false,
      processes: [{ outcome: 'stopped' }, { outcome: 'stopped' }],
    });
    for (const pid of pids) expect(commandLineOf(pid), `PID ${pid}`).toBeUndefined();
    expect(readdirSync(s.dir)).toEqual([]);
  });
});

describe('sandbox up refuses before it starts anything', () => {
  it('without moto: exit 2 and the one install line (a python3 that cannot import moto comes first on the PATH)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'meshctl-sandbox-nomoto-'));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'python3'), `#!/bin/sh\necho "ModuleNotFoundError: No module named 'moto'" >&2\nexit 1\n`);
    chmodSync(join(bin, 'python3'), 0o755);
    const r = await runCli(['sandbox', 'up', '--dir', join(root, 'sb')], { cwd: root, env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: sandbox: python3 cannot import moto \(ModuleNotFoundError: No module named 'moto'\); install it with:\n {2}python3 -m pip install 'moto\[server\]==5\.2\.1'\n$/,
    );
    expect(r.stdout).toBe('');
    expect(readdirSync(root)).toEqual(['bin']);
  });

  it('a cfn-output.json already in the folder: exit 2 unless --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshctl-sandbox-taken-'));
    writeFileSync(join(dir, 'cfn-output.json'), '{}');
    const r = await runCli(['sandbox', 'up'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: sandbox: cfn-output\.json already exists in .*; pass --force to replace it, or use another --dir/);
    expect(readdirSync(dir)).toEqual(['cfn-output.json']);
  });
});

describe('stock moto (no launcher): an App Mesh answer the SDK cannot read', () => {
  let moto: ChildProcess | undefined;
  let url = '';
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (
        await fetch(`${url}/moto-api/`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 150));
    }
    // Creating works on the server; its answer already carries the timestamps the SDK cannot parse.
    const appMesh = new AppMeshClient({
      endpoint: url,
      region: 'us-west-2',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const created = [
      new CreateMeshCommand({ meshName: 'appmesh-workshop' }),
      new CreateVirtualNodeCommand({
        meshName: 'appmesh-workshop',
        virtualNodeName: 'crystal-lb-vanilla',
        spec: { listeners: [{ portMapping: { port: 3000, protocol: 'http' } }] },
      }),
    ];
    for (const command of created)
      await appMesh.send(command as never).catch((e: Error) => expect(e.message).toMatch(/Deserialization error/));
  });
  afterAll(async () => {
    if (moto?.exitCode === null) {
      const exited = new Promise((r) => moto!.once('exit', r));
      moto.kill('SIGTERM');
      await exited;
    }
  });

  it('add-envoy ends with exit 3 naming the operation, the known moto bug and meshctl sandbox', async () => {
    const fixture = join(projectRoot(), 'test/fixtures/crystal-describe.json');
    const r = await runCli(['add-envoy', '--from-file', fixture, '--envoy-image', CURRENT_ENVOY], { cwd: tmpdir(), env: motoEnv(url) });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(
      /^error: DescribeVirtualNode: the endpoint's answer could not be read \(Expected real number, got implicit NaN\); /m,
    );
    expect(r.stderr).toMatch(
      /stock moto 5\.2\.1 writes App Mesh timestamps as "22\/11\/2026, 20:42:35", which no AWS SDK can read \(a known moto bug\)/,
    );
    expect(r.stderr).toMatch(/`meshctl sandbox up`/);
    expect(r.stderr).not.toMatch(/\$response|hidden field/);
    expect(r.stderr).not.toMatch(/talking to the local meshctl sandbox/);
  });
});

describe('the launcher with --until-stdin-closes, as the tests start moto', () => {
  it('moto ends when the process that started it is killed (SIGKILL): none outlives a test run', async () => {
    const port = await freePort();
    // A parent that starts moto with a pipe for its stdin, prints moto's PID, and idles until killed.
    const script = `const c = require('node:child_process').spawn('python3', ${JSON.stringify(motoArgs(port, { untilStdinCloses: true }))}, { stdio: ['pipe', 'ignore', 'ignore'] });
c.on('spawn', () => console.log(c.pid));
setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = await new Promise<number>((resolve) => {
      let out = '';
      parent.stdout!.on('data', (d: Buffer) => (out += d.toString()) && out.includes('\n') && resolve(Number(out.trim())));
    });
    try {
      await waitForMoto(`http://127.0.0.1:${port}`, pid, '/dev/null');
      parent.kill('SIGKILL');
      for (let i = 0; i < 100 && commandLineOf(pid) !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
      expect(commandLineOf(pid), `moto (PID ${pid}) still runs after its parent was killed`).toBeUndefined();
    } finally {
      parent.kill('SIGKILL');
      if (commandLineOf(pid) !== undefined) process.kill(pid, 'SIGKILL');
    }
  });
});
