import { describe, expect, it } from 'vitest';
import { colorFor } from '../../src/ui/color.js';
import { createUi, isCi } from '../../src/ui/output.js';
import { createLineProgress, createSpinnerProgress, HEARTBEAT_MS } from '../../src/ui/progress.js';
import { captureStream } from '../support/fake-deps.js';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);
/** A colour (SGR) sequence; ora's cursor hiding and line clearing are other escapes. */
const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);
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

  it('prints a --verbose line (a stack trace) as cleaned as the message it repeats', async () => {
    const loud = await ui({ verbose: true });
    loud.ui.verbose('InputError: bad \u001b[2J https://user:pw@example.com/x\n    at readJsonFile (src/runtime/files.ts:102:11)');
    expect(loud.stderr.text()).not.toMatch(ANSI);
    expect(loud.stderr.text()).not.toContain('pw@');
    expect(loud.stderr.text()).toContain('\n    at readJsonFile (src/runtime/files.ts:102:11)\n');
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

describe('spinner', () => {
  /** What ora needs of a terminal stream; the cursor moves are its own, not colour. */
  const terminal = () =>
    Object.assign(captureStream(), { isTTY: true, columns: 80, cursorTo: () => true, moveCursor: () => true, clearLine: () => true });

  it.each([
    ['NO_COLOR or --no-color', false, false],
    ['colour allowed', true, true],
  ])('%s: spinner frames coloured %s', async (_name, colorAllowed, coloured) => {
    const stream = terminal();
    const p = await createSpinnerProgress(stream, 'crystal', await colorFor(true, colorAllowed));
    p.update('2/3 RUNNING', 40_000);
    p.stop();
    // ora draws its first frame at once (the label), and later ones on its own timer.
    expect(stream.text()).toMatch(/\S crystal/);
    expect(SGR.test(stream.text())).toBe(coloured);
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
