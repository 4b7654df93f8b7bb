import type { Note } from '../core/render-envoy.js';
import { formatDuration } from '../core/duration.js';
import type { Ui } from './output.js';
import type { Progress } from './progress.js';

/** One status line per key (a service): rewritten in place in a terminal, appended elsewhere. */
export interface Board {
  set(key: string, text: string): void;
  /** A line above the board (a warning, say). */
  log(line: string): void;
  stop(): void;
}

/** Append-only: a `key: text` line whenever a key's text changes. */
export function createPlainBoard(write: (line: string) => void): Board {
  const last = new Map<string, string>();
  return {
    set(key, text) {
      if (last.get(key) === text) return;
      last.set(key, text);
      write(`${key}: ${text}\n`);
    },
    log: (line) => write(`${line}\n`),
    stop() {},
  };
}

const ESC = '\u001b[';

/** Rewrites a block of lines at the bottom of a terminal, at most every 100 ms. */
export function createTtyBoard(stream: NodeJS.WritableStream & { columns?: number }, keys: readonly string[]): Board {
  const texts = new Map(keys.map((k) => [k, 'waiting']));
  const width = Math.max(...keys.map((k) => k.length));
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (drawn) stream.write(`${ESC}${drawn}F${ESC}J`);
    drawn = 0;
  };
  const draw = () => {
    timer = undefined;
    clear();
    // A terminal that reports no size (0 columns, as a bare pty does) is taken as 120 wide.
    const cols = stream.columns || 120;
    const lines = keys.map((k) => `${k.padEnd(width)}  ${texts.get(k)}`.slice(0, Math.max(20, cols - 1)));
    stream.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const schedule = () => {
    timer ??= setTimeout(draw, 100);
  };
  draw();
  return {
    set(key, text) {
      texts.set(key, text);
      schedule();
    },
    log(line) {
      clear();
      stream.write(`${line}\n`);
      schedule();
    },
    stop() {
      if (timer) clearTimeout(timer);
      draw();
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
        update: (text, elapsedMs) => board.set(key, `▸ ${step}: ${text} · ${formatDuration(elapsedMs)}`),
        log: say,
        stop() {},
      });
    },
    startBoard: base.startBoard,
  };
}
