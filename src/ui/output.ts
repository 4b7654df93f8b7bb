import { escapeControlsButNewlines } from '../core/escape.js';
import { failureAnnotations, stepSummary, type CiOutcome } from '../core/github-actions.js';
import type { Note } from '../core/note.js';
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

import type { ErrorKind, Report } from '../errors.js';
export { ERROR_KINDS, type ErrorKind, type Report } from '../errors.js';

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The `error` object of a failure with --json. Every key is always there; null when it does not apply. */
export interface ErrorInfo {
  exitCode: number;
  kind: ErrorKind;
  /** The message stderr shows after `error: `. */
  message: string;
  /** The AWS operation that failed (aws-call only). */
  operation: string | null;
  /** What to try, when meshctl knows (aws-call only). */
  hint: string | null;
  /** Every problem the validation pass found (usage and input errors: one or more); [] for the other kinds. */
  problems: string[];
}

/** A command's failure as main.ts hands it to the Ui: what went wrong, what had been done, what resumes. */
export interface Failure {
  error: ErrorInfo;
  /** The report of what the command had done, when it made one. */
  report?: Report;
  /** The command that resumes or retries, when there is one. */
  resumeCommand?: string;
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

/** The Ui main.ts builds: also the one that prints a failure (commands throw; main.ts's catch calls this). */
export interface ProgramUi extends Ui {
  /**
   * A failure, on stdout: with --json one object, the report's data with `ok: false`, `resumeCommand`
   * and `error` (nothing when a result is already out: stdout holds one object); else the report's
   * lines. The message itself goes to stderr through error().
   */
  failure(failure: Failure): void;
}

/**
 * GitHub Actions, when main.ts found `GITHUB_ACTIONS=true`: a failure is also printed as `::error`
 * annotations, and every outcome is appended to the step summary when GITHUB_STEP_SUMMARY is set.
 */
export interface GithubActions {
  /** The command's words, for titles: `rollout`, `migrate apply`. */
  command: string;
  /** Appends Markdown to GITHUB_STEP_SUMMARY (absent when it is not set); throws a MeshctlError when it cannot. */
  appendSummary?: (markdown: string) => void;
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

/** A failure's one --json object: what the command had done, then `ok: false`, what resumes, and the error. */
function failureData({ error, report, resumeCommand }: Failure): Record<string, unknown> {
  const data: Record<string, unknown> = { ok: false, ...report?.data };
  // A URL's userinfo never reaches stderr (clean); the same message on stdout keeps it out too.
  const message = redactUrlUserinfo(error.message);
  const hint = error.hint === null ? null : redactUrlUserinfo(error.hint);
  return Object.assign(data, {
    ok: false,
    resumeCommand: data.resumeCommand ?? resumeCommand ?? null,
    error: {
      exitCode: error.exitCode,
      kind: error.kind,
      message,
      operation: error.operation,
      hint,
      problems: error.problems.map(redactUrlUserinfo),
    },
  });
}

/** `err` colours stderr: main.ts gets it from colorFor(facts.stderrIsTTY, facts.color). */
export function createUi(facts: UiFacts, streams: Streams, err: Colors = NO_COLORS, github?: GithubActions): ProgramUi {
  // While a board shows (many services), every other stderr line goes above it, through the board.
  let board: Board | undefined;
  const write = (line: string) => (board ? board.log(line) : streams.stderr.write(`${line}\n`));
  const spinner = facts.stderrIsTTY && !facts.ci && !facts.json;
  const marks = { start: err.cyan('▸'), ok: err.green('✔'), skip: err.dim('–'), fail: err.red('✖') };
  let printed = false;
  const print = (text: string) => {
    printed = true;
    if (text) streams.stdout.write(`${text}\n`);
  };
  // A report's lines quote names from input (a template's, a cluster's): no control character reaches the terminal.
  const lines = (report: Report) => report.lines.map(escapeControlsButNewlines).join('\n');
  // A summary that cannot be written is a warning: the command's outcome and exit code stay its own.
  const summarize = (outcome: Omit<CiOutcome, 'command'>) => {
    if (!github?.appendSummary) return;
    try {
      github.appendSummary(stepSummary({ ...outcome, command: github.command }));
    } catch (e) {
      write(`${err.yellow('warning:')} ${clean((e as Error).message)}`);
    }
  };
  return {
    verboseEnabled: facts.verbose,
    result(report) {
      print(facts.json ? JSON.stringify(report.data, null, 2) : lines(report));
      summarize({ ok: report.data.ok !== false, data: report.data });
    },
    failure(failure) {
      if (facts.json) {
        if (!printed) print(JSON.stringify(failureData(failure), null, 2));
      } else if (failure.report) print(lines(failure.report));
      if (!github) return;
      const outcome = { ok: false, data: failure.report?.data ?? {}, message: failure.error.message, resumeCommand: failure.resumeCommand };
      // On stderr, with or without --json: stdout holds the result alone, and the runner reads workflow
      // commands from both streams (docs/ci.md).
      for (const line of failureAnnotations({ ...outcome, command: github.command })) write(line);
      summarize(outcome);
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
      // A stack trace's first line repeats the message: it is cleaned as the message is.
      if (facts.verbose) write(err.dim(clean(line)));
    },
    step(name, status, detail) {
      write(`${marks[status]} ${clean(name)}${detail ? ` ${err.dim('·')} ${clean(detail)}` : ''}`);
    },
    startBoard(keys) {
      // Keys (service names) and texts come from input and AWS: escaped here; the Ui's own lines (coloured) go through `write`.
      const made = spinner ? createTtyBoard(streams.stderr, keys.map(clean)) : createPlainBoard((l) => streams.stderr.write(l));
      board = made;
      return {
        set: (key, text, elapsedMs) => made.set(clean(key), clean(text), elapsedMs),
        log: (line) => made.log(clean(line)),
        stop() {
          made.stop();
          board = undefined;
        },
      };
    },
    async startProgress(label) {
      const made = spinner
        ? await createSpinnerProgress(streams.stderr, clean(label), err)
        : createLineProgress({ write: (l) => streams.stderr.write(l) }, clean(label));
      return {
        update: (text, elapsedMs) => made.update(clean(text), elapsedMs),
        log: (line) => made.log(clean(line)),
        stop: () => made.stop(),
      };
    },
  };
}
