import { escapeControlsButNewlines } from '../core/escape.js';
import type { Note } from '../core/render-envoy.js';
import { redactUrlUserinfo } from '../core/secrets.js';
import { createPlainBoard, createTtyBoard, type Board } from './board.js';
import { NO_COLORS, type Colors } from './color.js';
import { createLineProgress, createSpinnerProgress, type Progress } from './progress.js';

/** Plain facts main.ts reads once; nothing else looks at isTTY or the environment. */
export interface UiFacts {
  stderrIsTTY: boolean;
  ci: boolean;
  json: boolean;
  color: boolean;
  verbose: boolean;
}

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** What a command reports: `data` for --json, `lines` for people. */
export interface Report {
  data: Record<string, unknown>;
  lines: string[];
}

export interface Ui {
  readonly verboseEnabled: boolean;
  /** The result, on stdout: one JSON object with --json, else the lines. Call once per command. */
  result(report: Report): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  notes(notes: readonly Note[]): void;
  verbose(line: string): void;
  /** A step of a multi-step command: `▸ step` on stderr. */
  step(name: string, status: 'start' | 'ok' | 'skip' | 'fail', detail?: string): void;
  startProgress(label: string): Promise<Progress>;
  /** One status line per key (services of a many-service rollout). */
  startBoard(keys: readonly string[]): Board;
}

/** `CI` counts as set unless it is empty, `false` or `0`. */
export function isCi(value: string | undefined): boolean {
  return value !== undefined && !['', 'false', '0'].includes(value.trim().toLowerCase());
}

/**
 * The last line of defence for a message: whatever input it quotes, no control character reaches the
 * terminal (only meshctl's own line breaks), and no URL shows its userinfo. --json output is not
 * touched: JSON.stringify escapes what JSON needs.
 */
const clean = (message: string): string => escapeControlsButNewlines(redactUrlUserinfo(message));

/** `err` colours stderr: main.ts gets it from colorFor(facts.stderrIsTTY, facts.color). */
export function createUi(facts: UiFacts, streams: Streams, err: Colors = NO_COLORS): Ui {
  // While a board shows (many services), every other stderr line goes above it, through the board.
  let board: Board | undefined;
  const write = (line: string) => (board ? board.log(line) : streams.stderr.write(`${line}\n`));
  const spinner = facts.stderrIsTTY && !facts.ci && !facts.json;
  const marks = { start: err.cyan('▸'), ok: err.green('✔'), skip: err.dim('–'), fail: err.red('✖') };
  return {
    verboseEnabled: facts.verbose,
    result(report) {
      const text = facts.json ? JSON.stringify(report.data, null, 2) : report.lines.join('\n');
      if (text) streams.stdout.write(`${text}\n`);
    },
    info: (message) => write(clean(message)),
    warn: (message) => write(`${err.yellow('warning:')} ${clean(message)}`),
    error: (message) => write(`${err.red('error:')} ${clean(message)}`),
    notes(notes) {
      for (const n of notes) {
        if (n.level === 'warn') this.warn(n.message);
        else this.info(n.message);
      }
    },
    verbose(line) {
      if (facts.verbose) write(err.dim(line));
    },
    step(name, status, detail) {
      write(`${marks[status]} ${name}${detail ? ` ${err.dim('·')} ${detail}` : ''}`);
    },
    startBoard(keys) {
      const made = spinner ? createTtyBoard(streams.stderr, keys) : createPlainBoard((l) => streams.stderr.write(l));
      board = made;
      return {
        ...made,
        stop() {
          made.stop();
          board = undefined;
        },
      };
    },
    startProgress(label) {
      return spinner
        ? createSpinnerProgress(streams.stderr, label)
        : Promise.resolve(createLineProgress({ write: (l) => streams.stderr.write(l) }, label));
    },
  };
}
