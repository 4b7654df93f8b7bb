import { afterEach, describe, expect, it, vi } from 'vitest';
import { boardUi, CLOCK_TICK_MS, createPlainBoard, createTtyBoard } from '../../src/ui/board.js';
import { createLineProgress } from '../../src/ui/progress.js';
import { createUi } from '../../src/ui/output.js';
import { captureStream } from '../support/fake-deps.js';
import { renderScreen } from '../support/screen.js';

const facts = { stdoutIsTTY: false, stderrIsTTY: false, ci: true, json: false, color: false, verbose: false };

describe('board', () => {
  it('prints a line per service when its state changes, and a shared warning once', async () => {
    const lines: string[] = [];
    const board = createPlainBoard((l) => lines.push(l));
    const base = createUi(facts, { stdout: captureStream(), stderr: captureStream() });
    const a = boardUi(base, board, 'orders');
    const b = boardUi(base, board, 'payments');
    a.notes([{ level: 'warn', message: 'old envoy image' }]);
    b.notes([{ level: 'warn', message: 'old envoy image' }]);
    a.step('add-envoy', 'start');
    a.step('add-envoy', 'start');
    a.step('add-envoy', 'ok', 'registered x:2');
    const p = await b.startProgress('payments');
    b.step('wait-running', 'start');
    p.update('2/3 RUNNING', 40_000);
    // Only the clock moved: no line (a CI log would get one per poll).
    p.update('2/3 RUNNING', 50_000);
    p.log('event 13:04:05 (service payments) has started 1 tasks.');
    p.update('3/3 RUNNING', 60_000);
    b.step('verify', 'skip', 'not checked: pass --host to verify each service');
    expect(lines).toEqual([
      'warning: old envoy image\n',
      'orders: ▸ add-envoy\n',
      'orders: ✔ add-envoy · registered x:2\n',
      'payments: ▸ wait-running\n',
      'payments: ▸ wait-running: 2/3 RUNNING · 40s\n',
      'payments: event 13:04:05 (service payments) has started 1 tasks.\n',
      'payments: ▸ wait-running: 3/3 RUNNING · 1m00s\n',
      'payments: – verify · not checked: pass --host to verify each service\n',
    ]);
  });

  it('in a terminal that reports 0 columns (a bare pty), lines are not cut to 20 characters', () => {
    const stream = Object.assign(captureStream(), { columns: 0 });
    const board = createTtyBoard(stream, ['orders']);
    board.set('orders', '▸ wait-running: 2/3 RUNNING · 40s');
    board.stop();
    expect(renderScreen(stream.text())).toEqual(['orders  ▸ wait-running: 2/3 RUNNING · 40s']);
  });
});

describe('board in a terminal', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** What the terminal shows, as lines ending in `\n`. */
  const screen = (text: string) =>
    renderScreen(text)
      .map((l) => `${l}\n`)
      .join('');

  it('keeps the clock of a waiting line counting between polls, and stops it with the board', async () => {
    vi.useFakeTimers();
    let t = 0;
    const stream = Object.assign(captureStream(), { columns: 80 });
    const board = createTtyBoard(stream, ['orders', 'payments'], () => t);
    const base = createUi(facts, { stdout: captureStream(), stderr: captureStream() });
    const ui = boardUi(base, board, 'orders');
    ui.step('wait-running', 'start');
    const p = await ui.startProgress('orders');
    p.update('2/3 RUNNING', 40_000);
    await vi.advanceTimersByTimeAsync(100);
    expect(screen(stream.text())).toBe('orders    ▸ wait-running: 2/3 RUNNING · 40s\npayments  waiting\n');
    // No poll for 5 s: the clock still moves.
    t += 5000;
    await vi.advanceTimersByTimeAsync(5 * CLOCK_TICK_MS);
    expect(screen(stream.text())).toBe('orders    ▸ wait-running: 2/3 RUNNING · 45s\npayments  waiting\n');
    ui.step('wait-running', 'ok', '3/3 RUNNING');
    board.stop();
    expect(vi.getTimerCount()).toBe(0);
    const after = stream.text();
    // A late update (a service still finishing) does not redraw the board under what follows it.
    board.set('orders', '▸ verify');
    board.log('error: interrupted');
    await vi.advanceTimersByTimeAsync(5 * CLOCK_TICK_MS);
    expect(screen(after)).toBe('orders    ✔ wait-running · 3/3 RUNNING\npayments  waiting\n');
    expect(stream.text()).toBe(`${after}error: interrupted\n`);
    // The screen is never erased from where a redraw starts (the top-left corner, when the board is at the
    // top): tmux keeps a screen erased there in its scrollback.
    expect(after.split('\u001b[2F').every((redraw, i) => i === 0 || !redraw.startsWith('\u001b[J'))).toBe(true);
  });

  it('keeps lines logged above the board, and the board below them', () => {
    const stream = captureStream();
    const board = createTtyBoard(stream, ['orders', 'payments']);
    board.set('orders', '▸ add-envoy');
    board.log('warning: old envoy image');
    board.log('\nSIGINT: stopping at the next safe point…');
    board.set('payments', '– not started (interrupted)');
    board.stop();
    board.log('error: interrupted');
    expect(renderScreen(stream.text())).toEqual([
      'warning: old envoy image',
      '',
      'SIGINT: stopping at the next safe point…',
      'orders    ▸ add-envoy',
      'payments  – not started (interrupted)',
      'error: interrupted',
    ]);
  });

  it('is never taller than the terminal: the busy lines and how many more; every line once it stops', async () => {
    vi.useFakeTimers();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const stream = Object.assign(captureStream(), { columns: 80, rows: 5 });
    const board = createTtyBoard(stream, keys);
    for (const k of keys) board.set(k, '✔ verify · ok');
    board.set('f', '▸ wait-running: 1/3 RUNNING', 2000);
    board.set('g', '✖ verify · no envoy');
    await vi.advanceTimersByTimeAsync(100);
    expect(renderScreen(stream.text())).toEqual([
      'a  ✔ verify · ok',
      'f  ▸ wait-running: 1/3 RUNNING · 2s',
      'g  ✖ verify · no envoy',
      '… 5 more',
    ]);
    board.stop();
    expect(renderScreen(stream.text())).toEqual(
      keys.map((k) => `${k}  ${k === 'f' ? '▸ wait-running: 1/3 RUNNING · 2s' : k === 'g' ? '✖ verify · no envoy' : '✔ verify · ok'}`),
    );
  });

  it('draws no clock for a line that has none, so an idle board does not redraw', async () => {
    vi.useFakeTimers();
    const stream = captureStream();
    const board = createTtyBoard(stream, ['orders']);
    board.set('orders', '✔ add-envoy · registered x:2');
    await vi.advanceTimersByTimeAsync(100);
    const drawn = stream.text();
    await vi.advanceTimersByTimeAsync(10 * CLOCK_TICK_MS);
    expect(stream.text()).toBe(drawn);
    board.stop();
  });
});

describe('line progress', () => {
  it('keeps an event line apart from the count lines, under the same label', () => {
    const lines: string[] = [];
    const p = createLineProgress({ write: (l) => lines.push(l) }, 'crystal');
    p.update('1/3 RUNNING', 1000);
    p.log('event 13:04:05 m');
    p.update('1/3 RUNNING', 2000);
    expect(lines).toEqual(['crystal: 1/3 RUNNING · 1s\n', 'crystal: event 13:04:05 m\n']);
  });
});
