import type { Note } from '../core/note.js';
import { formatDuration } from '../core/duration.js';
import type { Ui } from './output.js';
import type { Progress } from './progress.js';

/** One status line per key (a service): rewritten in place in a terminal, appended elsewhere. */
export interface Board {
  /**
   * A key's state. `elapsedMs`, a wait's clock, is shown beside the text; it is not part of the state:
   * in a terminal it keeps counting between polls, in a log a line is written only when the text changes.
   */
  set(key: string, text: string, elapsedMs?: number): void;
  /** A line above the board (a warning, say). */
  log(line: string): void;
  /** Draws the last state once more and stops for good: later set() calls draw nothing. */
  stop(): void;
}

const clockOf = (elapsedMs: number | undefined) => (elapsedMs === undefined ? '' : ` · ${formatDuration(elapsedMs)}`);

/** Append-only: a `key: text` line whenever a key's text changes (never because only its clock moved). */
export function createPlainBoard(write: (line: string) => void): Board {
  const last = new Map<string, string>();
  return {
    set(key, text, elapsedMs) {
      if (last.get(key) === text) return;
      last.set(key, text);
      write(`${key}: ${text}${clockOf(elapsedMs)}\n`);
    },
    log: (line) => write(`${line}\n`),
    stop() {},
  };
}

const ESC = '\u001b[';

/** How often a terminal board redraws to move its clocks on between polls. */
export const CLOCK_TICK_MS = 1000;

/** A line that still changes (a step under way, a failure) is shown before one that waits or is done. */
const activeFirst = (text: string) => (/^[\u25b8\u2716]/.test(text) ? 0 : 1); // ▸ ✖ (dist/ stays ASCII: see test/e2e/package.test.ts)

/**
 * Rewrites a block of lines at the bottom of a terminal, at most every 100 ms, and every CLOCK_TICK_MS
 * while a line shows a clock. `now` is injectable for tests.
 *
 * Each redraw moves the cursor up over the block and writes over it, line by line, erasing the rest of
 * each line (ESC[K), in one write. It never erases the screen from its top-left corner: tmux (its
 * scroll-on-clear option, on by default) keeps such a screen in the scrollback, and a copy of the board
 * stayed behind there each time. The block is never taller than the terminal either: lines scrolled out
 * of it can no longer be rewritten, so a board of more services than rows shows the busy ones and how
 * many more; when it stops, it writes every line once, in its last state.
 */
export function createTtyBoard(
  stream: NodeJS.WritableStream & { columns?: number; rows?: number },
  keys: readonly string[],
  now: () => number = () => performance.now(),
): Board {
  const states = new Map<string, { text: string; elapsedMs?: number; at: number }>(keys.map((k) => [k, { text: 'waiting', at: 0 }]));
  const width = Math.max(...keys.map((k) => k.length));
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const lineOf = (k: string) => {
    const s = states.get(k)!;
    return `${k.padEnd(width)}  ${s.text}${clockOf(s.elapsedMs === undefined ? undefined : s.elapsedMs + now() - s.at)}`;
  };
  /** The board's lines: all of them, or as many as the terminal has rows for (one row stays for the cursor). */
  const boardLines = (all: boolean) => {
    const room = Math.max(2, (stream.rows || 24) - 1);
    if (all || keys.length <= room) return keys.map(lineOf);
    const shown = new Set([...keys].sort((x, y) => activeFirst(states.get(x)!.text) - activeFirst(states.get(y)!.text)).slice(0, room - 1));
    return [...keys.filter((k) => shown.has(k)).map(lineOf), `… ${keys.length - shown.size} more`];
  };
  /** Writes `above` (lines that stay) where the board was, then the board below them. */
  const paint = (above: readonly string[], all = false) => {
    timer = undefined;
    // A terminal that reports no size (0 columns, as a bare pty does) is taken as 120 wide.
    const cols = stream.columns || 120;
    const lines = boardLines(all).map((l) => l.slice(0, Math.max(20, cols - 1)));
    const rows = [...above.flatMap((l) => l.split('\n')), ...lines];
    // The cursor ends below what was written, never at the top-left: ESC[J there erases only leftovers.
    stream.write(`${drawn ? `${ESC}${drawn}F` : ''}${rows.map((r) => `${r}${ESC}K\n`).join('')}${ESC}J`);
    drawn = lines.length;
  };
  const schedule = () => {
    timer ??= setTimeout(() => paint([]), 100);
  };
  // The clocks move on between polls, which may be many seconds apart.
  const ticker = setInterval(() => {
    if ([...states.values()].some((s) => s.elapsedMs !== undefined)) schedule();
  }, CLOCK_TICK_MS);
  ticker.unref();
  paint([]);
  return {
    set(key, text, elapsedMs) {
      if (stopped) return;
      states.set(key, { text, elapsedMs, at: now() });
      schedule();
    },
    log(line) {
      if (stopped) return void stream.write(`${line}\n`);
      if (timer) clearTimeout(timer);
      paint([line]);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(ticker);
      if (timer) clearTimeout(timer);
      // The last state stays on screen, every line of it; what follows (the summary, an error) goes below.
      paint([], true);
      drawn = 0;
    },
  };
}

/** Warnings already shown on a board: the same one for fifty services is said once. */
const warned = new WeakMap<Board, Set<string>>();

/** A Ui for one service of a many-service run: its steps and progress become its board line. */
export function boardUi(base: Ui, board: Board, key: string): Ui {
  const marks = { start: '▸', ok: '✔', skip: '–', fail: '✖' };
  const say = (line: string) => board.log(`${key}: ${line}`);
  if (!warned.has(board)) warned.set(board, new Set());
  const warnOnce = (message: string) => {
    const seen = warned.get(board)!;
    if (seen.has(message)) return;
    seen.add(message);
    board.log(`warning: ${message}`);
  };
  let step = '';
  return {
    verboseEnabled: base.verboseEnabled,
    result() {},
    info: say,
    warn: warnOnce,
    error: (m) => say(`error: ${m}`),
    notes(notes: readonly Note[]) {
      for (const n of notes) if (n.level === 'warn') warnOnce(n.message);
    },
    verbose(line) {
      if (base.verboseEnabled) say(line);
    },
    step(name, status, detail) {
      step = name;
      board.set(key, `${marks[status]} ${name}${detail ? ` · ${detail}` : ''}`);
    },
    startProgress(): Promise<Progress> {
      return Promise.resolve({
        update: (text, elapsedMs) => board.set(key, `▸ ${step}: ${text}`, elapsedMs),
        log: say,
        stop() {},
      });
    },
    startBoard: base.startBoard,
  };
}
