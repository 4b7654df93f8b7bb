import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { motoEnv } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { seedClusterWorld } from '../support/cluster-world.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { spawnSync } from 'node:child_process';
import { startInTmux, type TmuxPane } from '../support/tmux.js';
import { FAMILY, seedMoreServices } from '../support/workshop.js';

// What a person sees in a terminal (a tmux pane: a real terminal, rendered) and what a CI log gets.
const env = useMotoWorkshop();

let panes: TmuxPane[] = [];
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await Promise.all(panes.map((p) => p.close()));
  panes = [];
  await proxy?.close();
  proxy = undefined;
});

/** meshctl in a tmux pane, as a terminal user runs it: no CI, against moto (or `url`). */
async function inTerminal(args: string[], extraEnv: Record<string, string> = {}, url = env.moto.url, height = 40): Promise<TmuxPane> {
  const pane = await startInTmux(args, { cwd: env.ws.dir, env: motoEnv(url, extraEnv), height });
  panes.push(pane);
  return pane;
}

const ESC = String.fromCharCode(27);
/** A colour (SGR) sequence. */
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`);
const FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

/** A duration as meshctl prints it (`437ms`, `40s`, `1m05s`), in ms. */
function msOf(text: string): number {
  const m = /^(?:(\d+)ms|(?:(\d+)m)?(\d+)s)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return m[1] !== undefined ? Number(m[1]) : (Number(m[2] ?? 0) * 60 + Number(m[3])) * 1000;
}

const SERVICES = ['orders', 'payments', 'products'];
const several = (names = SERVICES) => names.flatMap((s) => ['--service', s]);

/** The terminal cases need tmux (.ci/run says when it is missing; the skipped count shows it too). */
const HAS_TMUX = spawnSync('sh', ['-c', 'command -v tmux']).status === 0;

describe.skipIf(!HAS_TMUX)('colour in a terminal', () => {
  it.each([
    { name: 'NO_COLOR=1', extraEnv: { NO_COLOR: '1' } as Record<string, string>, flags: [] as string[], coloured: false },
    { name: '--no-color', extraEnv: {}, flags: ['--no-color'], coloured: false },
    { name: 'neither', extraEnv: {}, flags: [], coloured: true },
  ])('$name: the spinner and the messages coloured: $coloured', async ({ extraEnv, flags, coloured }) => {
    // 4 wanted, 3 run: the wait goes on, with its spinner, until Ctrl-C.
    expect((await env.cli(['update-service', '--task-definition', `${FAMILY}:1`])).code).toBe(0);
    const pane = await inTerminal(['wait-running', '--count', '4', '--timeout', '30s', ...flags], extraEnv);
    const spinnerLine = await pane.waitForLine(/3\/4 RUNNING/);
    expect(spinnerLine).toMatch(FRAME);
    expect(SGR.test(spinnerLine)).toBe(coloured);
    await pane.sendKeys('C-c');
    expect(await pane.exited()).toBe(130);
    const all = await pane.capture({ escapes: true });
    expect(all).toMatch(/error:/);
    expect(SGR.test(all)).toBe(coloured);
  });
});

describe.skipIf(!HAS_TMUX)('the board of a many-service rollout in a terminal', () => {
  it('moves each waiting line’s clock on between polls', async () => {
    await env.seeded('orders,payments', (url, ws) => seedMoreServices(url, ws, ['orders', 'payments']));
    // The proxy counts meshctl's calls: the clock must move while none is made.
    proxy = await startFaultProxy(env.moto.url);
    const pane = await inTerminal(['rollout', ...several(['orders', 'payments']), '--interval', '10s', '--timeout', '40s'], {}, proxy.url);
    await pane.waitFor(/^orders +▸ wait-running: .* · \S+$/m);
    const clockOf = (shown: string) => msOf(/^orders +▸ wait-running: .* · (\S+)$/m.exec(shown)![1]!);
    const calls = () => [...proxy!.seen.values()].reduce((a, b) => a + b, 0);
    // Polls back off to --interval: soon a few seconds pass without one.
    for (let tries = 0; ; tries++) {
      const before = calls();
      await new Promise((r) => setTimeout(r, 500));
      const first = clockOf(await pane.capture());
      await new Promise((r) => setTimeout(r, 2500));
      const second = clockOf(await pane.capture());
      if (calls() !== before) {
        if (tries < 10) continue;
        throw new Error('meshctl never went 3 s without a call');
      }
      expect(second - first).toBeGreaterThanOrEqual(1000);
      break;
    }
    await pane.sendKeys('C-c');
    expect(await pane.exited()).toBe(130);
  }, 60_000);

  // 40 rows: the board starts at the top of the screen, where erasing the screen from the cursor would
  // move it to tmux's scrollback. 4 rows: more services than rows, so the board shows two and "1 more".
  it.each([40, 4])(
    'Ctrl-C, %i rows: the board stays once, in its last state, above the error and one resume command',
    async (height) => {
      await env.seeded('orders,payments,products', (url, ws) => seedMoreServices(url, ws, SERVICES));
      // No scheduler: the waits go on until Ctrl-C.
      const args = ['rollout', ...several(), '--concurrency', '2', '--interval', '1s', '--timeout', '30s'];
      const pane = await inTerminal(args, {}, env.moto.url, height);
      await pane.waitFor(height < SERVICES.length + 1 ? /^… 1 more/m : /RUNNING/);
      await pane.sendKeys('C-c');
      expect(await pane.exited()).toBe(130);
      const lines = (await pane.capture()).split('\n');
      const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
      const count = (pattern: RegExp) => lines.filter((l) => pattern.test(l)).length;
      // One board line per service (`name  state`), no copy of an earlier drawing left behind.
      for (const s of SERVICES) expect(count(new RegExp(`^${s} +[▸✔✖–w]`)), lines.join('\n')).toBe(1);
      expect(lines.find((l) => /^products +/.test(l))).toMatch(/– not started \(interrupted\)/);
      expect(count(/SIGINT: stopping at the next safe point/)).toBe(1);
      expect(count(/^resume with: meshctl rollout /)).toBe(1);
      expect(lines.join('\n').split('meshctl rollout').length - 1).toBe(1);
      const board = Math.max(...SERVICES.map((s) => at(new RegExp(`^${s} +`))));
      expect(board).toBeLessThan(at(/^error: interrupted/));
      expect(at(/^error: interrupted/)).toBeLessThan(at(/^resume with:/));
      // Nothing is drawn after the resume command (tmux's own "Pane is dead" aside).
      const after = lines.slice(at(/^resume with:/) + 1).filter((l) => l.trim() && !/^Pane is dead/.test(l));
      expect(after).toEqual([]);
      expect(count(/^… \d+ more/)).toBe(0);
    },
    60_000,
  );
});

describe.skipIf(!HAS_TMUX)('the board of migrate apply --all-services in a terminal', () => {
  it('one line per service, in waves, each in its last state: no spinner and no line per change', async () => {
    await env.seeded('cluster', seedClusterWorld);
    const migrated = ['crystal-service-lb', 'inventory', 'payments', 'products'];
    await env.withScheduler(async () => {
      const pane = await inTerminal(['migrate', 'apply', '--all-services', '--create-namespace', '--interval', '1s', '--timeout', '30s']);
      // Its board shows every service from the start: products, wave 2, waits while wave 1 moves.
      await pane.waitFor(/^products +(waiting|▸ wave 2)/m);
      const code = await pane.exited(60_000);
      expect(code, await pane.capture()).toBe(0);
      const lines = (await pane.capture()).split('\n');
      for (const s of migrated) {
        const board = lines.filter((l) => new RegExp(`^${s} +[▸✔✖–w]`).test(l));
        expect(board, lines.join('\n')).toHaveLength(1);
        expect(board[0]).toMatch(new RegExp(`^${s} +✔ wave ${s === 'products' ? 2 : 1} · runs \\S+:\\d+ on Service Connect$`));
      }
      // Nothing drawn the piped way (`service: state`), no spinner.
      expect(lines.filter((l) => /^[\w-]+: [▸✔✖]/.test(l))).toEqual([]);
      expect(lines.join('\n')).not.toMatch(FRAME);
    });
  }, 90_000);
});

describe('the board of a many-service rollout in a CI log', () => {
  it('writes a line when a service’s state changes, not when only its clock moves', async () => {
    await env.seeded('orders,payments', (url, ws) => seedMoreServices(url, ws, ['orders', 'payments']));
    // No scheduler: five seconds of polls, all with the same count.
    const r = await env.cli(['rollout', ...several(['orders', 'payments']), '--interval', '1s', '--timeout', '5s']);
    expect(r.code, r.stderr).toBe(1);
    for (const s of ['orders', 'payments']) {
      const waiting = r.stderr.split('\n').filter((l) => l.startsWith(`${s}: ▸ wait-running: `));
      expect(waiting.length, r.stderr).toBeGreaterThan(0);
      const states = waiting.map((l) => l.replace(/ · \S+$/, ''));
      expect(new Set(states).size, r.stderr).toBe(states.length);
    }
  }, 30_000);
});

describe('step lines', () => {
  it('a failed verify names the step once: "✖ verify · <reason>"', async () => {
    // moto's SSM runs nothing: verify sees an empty answer.
    const r = await env.cli(['rollout', '--from', 'verify']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^✖ verify · the check printed no output/m);
    expect(r.stderr).not.toMatch(/verify · verify:/);
    expect(r.stderr).toMatch(/^error: verify failed: the check printed no output/m);
  });
});

describe('--verbose', () => {
  it("a stack trace names meshctl's own functions and the src/ module they come from; without --verbose there is none", async () => {
    const file = join(env.ws.dir, 'bad-describe.json');
    await writeFile(file, '{ "taskDefinition": ', { mode: 0o600 });
    const loud = await env.cli(['add-envoy', '--dry-run', '--from-file', file, '--verbose']);
    expect(loud.code, loud.stderr).toBe(2);
    expect(loud.stderr).toMatch(/^InputError: .*bad-describe\.json: not valid JSON/m);
    // No source maps ship (see scripts/build-options.mjs): the trace points into dist/, unminified, where
    // each module is headed by its // src/... path.
    const frame = /^ {4}at readJsonFile \((.*\/dist\/[\w-]+\.js):(\d+):\d+\)$/m.exec(loud.stderr);
    expect(frame, loud.stderr).not.toBeNull();
    const path = frame![1]!.startsWith('file:') ? fileURLToPath(frame![1]!) : frame![1]!;
    const lines = readFileSync(path, 'utf8').split('\n').slice(0, Number(frame![2]));
    expect(lines.reverse().find((l) => /^\/\/ src\//.test(l))).toBe('// src/runtime/files.ts');
    const quiet = await env.cli(['add-envoy', '--dry-run', '--from-file', file]);
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
  });
});
