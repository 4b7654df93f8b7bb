import { describe, expect, it } from 'vitest';
import { boardUi, createPlainBoard, createTtyBoard } from '../../src/ui/board.js';
import { createLineProgress } from '../../src/ui/progress.js';
import { createUi } from '../../src/ui/output.js';
import { captureStream } from '../support/fake-deps.js';

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
    p.log('event 13:04:05 (service payments) has started 1 tasks.');
    expect(lines).toEqual([
      'warning: old envoy image\n',
      'orders: ▸ add-envoy\n',
      'orders: ✔ add-envoy · registered x:2\n',
      'payments: ▸ wait-running\n',
      'payments: ▸ wait-running: 2/3 RUNNING · 40s\n',
      'payments: event 13:04:05 (service payments) has started 1 tasks.\n',
    ]);
  });

  it('in a terminal that reports 0 columns (a bare pty), lines are not cut to 20 characters', () => {
    const stream = Object.assign(captureStream(), { columns: 0 });
    const board = createTtyBoard(stream, ['orders']);
    board.set('orders', '▸ wait-running: 2/3 RUNNING · 40s');
    board.stop();
    expect(stream.text()).toContain('orders  ▸ wait-running: 2/3 RUNNING · 40s\n');
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
