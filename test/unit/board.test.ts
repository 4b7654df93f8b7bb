import { describe, expect, it } from 'vitest';
import { boardUi, createPlainBoard } from '../../src/ui/board.js';
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
    expect(lines).toEqual([
      'warning: old envoy image\n',
      'orders: ▸ add-envoy\n',
      'orders: ✔ add-envoy · registered x:2\n',
      'payments: ▸ wait-running\n',
      'payments: ▸ wait-running: 2/3 RUNNING · 40s\n',
    ]);
  });
});
