import { describe, expect, it } from 'vitest';
import { colorFor } from '../../src/ui/color.js';
import { createUi, isCi } from '../../src/ui/output.js';
import { createLineProgress, HEARTBEAT_MS } from '../../src/ui/progress.js';
import { captureStream } from '../support/fake-deps.js';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);
const facts = { stdoutIsTTY: false, stderrIsTTY: false, ci: true, json: false, color: true, verbose: false };

async function ui(extra: Partial<typeof facts> = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const f = { ...facts, ...extra };
  return { ui: createUi(f, { stdout, stderr }, await colorFor(f.stderrIsTTY, f.color)), stdout, stderr };
}

describe('Ui', () => {
  it('prints exactly one JSON object on stdout with --json, messages on stderr', async () => {
    const t = await ui({ json: true });
    t.ui.warn('careful');
    t.ui.result({ data: { ok: true, n: 1 }, lines: ['ignored'] });
    expect(JSON.parse(t.stdout.text())).toEqual({ ok: true, n: 1 });
    expect(t.stderr.text()).toBe('warning: careful\n');
  });

  it('prints the lines for people without --json', async () => {
    const t = await ui();
    t.ui.result({ data: {}, lines: ['a', 'b'] });
    expect(t.stdout.text()).toBe('a\nb\n');
  });

  it('writes no colour codes to a stream that is not a terminal', async () => {
    const t = await ui({ color: true, stderrIsTTY: false });
    t.ui.error('x');
    t.ui.step('add-envoy', 'ok', 'done');
    expect(t.stderr.text()).not.toMatch(ANSI);
  });

  it('colours a terminal unless --no-color or NO_COLOR', async () => {
    const tty = await ui({ stderrIsTTY: true });
    tty.ui.error('x');
    expect(tty.stderr.text()).toMatch(ANSI);
    const noColor = await ui({ stderrIsTTY: true, color: false });
    noColor.ui.error('x');
    expect(noColor.stderr.text()).not.toMatch(ANSI);
  });

  it('prints --verbose lines only when asked', async () => {
    const quiet = await ui();
    quiet.ui.verbose('aws ecs.ListTasks 3ms');
    expect(quiet.stderr.text()).toBe('');
    const loud = await ui({ verbose: true });
    loud.ui.verbose('aws ecs.ListTasks 3ms');
    expect(loud.stderr.text()).toBe('aws ecs.ListTasks 3ms\n');
  });
});

describe('line progress', () => {
  it('prints a line when the count changes and a heartbeat when it does not', () => {
    const lines: string[] = [];
    const p = createLineProgress({ write: (l) => lines.push(l) }, 'svc');
    p.update('0/3 RUNNING', 0);
    p.update('0/3 RUNNING', 5000);
    p.update('2/3 RUNNING', 40_000);
    p.update('2/3 RUNNING', 40_000 + HEARTBEAT_MS);
    expect(lines).toEqual(['svc: 0/3 RUNNING · 0ms\n', 'svc: 2/3 RUNNING · 40s\n', 'svc: 2/3 RUNNING · 1m10s\n']);
  });
});

describe('isCi', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
    ['woodpecker', true],
  ])('CI=%j is %s', (value, expected) => {
    expect(isCi(value)).toBe(expected);
  });
});
