import { describe, expect, it } from 'vitest';
import { boardUi } from '../../src/ui/board.js';
import { NO_COLORS } from '../../src/ui/color.js';
import { createUi, type UiFacts } from '../../src/ui/output.js';
import { captureStream } from '../support/fake-deps.js';

const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);
/** A name from a template or an AWS answer that would retitle and clear a terminal. */
const HOSTILE = `svc${ESC}]0;owned${BEL}${ESC}[2J`;
const SHOWN = 'svc\\u001b]0;owned\\u0007\\u001b[2J';
/** Any control character but a line break. */
const CONTROL = /(?!\n)\p{Cc}/u;

function ui(facts: Partial<UiFacts> = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const made = createUi(
    { stderrIsTTY: false, ci: true, json: false, color: false, verbose: true, ...facts },
    { stdout, stderr },
    NO_COLORS,
  );
  return { ui: made, out: () => stdout.text(), err: () => stderr.text() };
}

describe('every string from input is escaped where the Ui prints it', () => {
  it("a report's lines on stdout (a plan's table and findings), and a failure's", () => {
    const t = ui();
    t.ui.result({ data: {}, lines: [`wave  service`, `1     ${HOSTILE}`, `✖ ${HOSTILE}: no route`] });
    t.ui.failure({
      error: { exitCode: 1, kind: 'check-failed', message: 'x', operation: null, hint: null, problems: [] },
      report: { data: {}, lines: [`left as they are: ${HOSTILE} (not-in-mesh)`] },
    });
    expect(t.out()).not.toMatch(CONTROL);
    expect(t.out()).toBe(`wave  service\n1     ${SHOWN}\n✖ ${SHOWN}: no route\nleft as they are: ${SHOWN} (not-in-mesh)\n`);
  });

  it('--json is left to JSON, which escapes control characters itself', () => {
    const t = ui({ json: true });
    t.ui.result({ data: { service: HOSTILE }, lines: [] });
    expect(t.out()).not.toMatch(CONTROL);
    expect(JSON.parse(t.out())).toEqual({ service: HOSTILE });
  });

  it('steps, progress and board lines on stderr', async () => {
    const t = ui();
    t.ui.step('add-envoy', 'fail', `service "${HOSTILE}" not found`);
    const progress = await t.ui.startProgress(HOSTILE);
    progress.update(`1/2 RUNNING ${HOSTILE}`, 1000);
    progress.log(`event: ${HOSTILE}`);
    progress.stop();
    const board = t.ui.startBoard([HOSTILE, 'plain']);
    const one = boardUi(t.ui, board, HOSTILE);
    one.step('add-envoy', 'start', HOSTILE);
    one.info(`note about ${HOSTILE}`);
    one.warn(`warning about ${HOSTILE}`);
    board.stop();
    expect(t.err()).not.toMatch(CONTROL);
    expect(t.err()).toContain(`✖ add-envoy · service "${SHOWN}" not found`);
    expect(t.err()).toContain(`${SHOWN}: ▸ add-envoy · ${SHOWN}`);
    expect(t.err()).toContain(`${SHOWN}: note about ${SHOWN}`);
  });

  it('a terminal board, keys and texts', () => {
    const t = ui({ stderrIsTTY: true, ci: false });
    const board = t.ui.startBoard([HOSTILE]);
    board.set(HOSTILE, `▸ wait-running: ${HOSTILE}`);
    board.stop();
    // The board's own cursor movements are escapes; what came from input is not among them.
    expect(t.err()).not.toContain(`${ESC}]0;`);
    expect(t.err()).not.toContain(BEL);
    expect(t.err()).toContain(`${SHOWN}  ▸ wait-running: ${SHOWN}`);
  });
});
