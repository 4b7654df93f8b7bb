import { formatDuration } from '../core/duration.js';
import type { Colors } from './color.js';

export interface Progress {
  /** New status text; `elapsedMs` is shown beside it. */
  update(text: string, elapsedMs: number): void;
  /** A line that stays (a service event), written above the progress; escaped by the caller. */
  log(line: string): void;
  /** Ends the progress display (the final result is printed elsewhere). */
  stop(): void;
}

export interface ProgressSink {
  write(line: string): void;
}

export const HEARTBEAT_MS = 30_000;

/**
 * Append-only progress for logs and CI: a line when the text changes, and a heartbeat line when
 * nothing has changed for HEARTBEAT_MS, so a CI log never looks hung.
 */
export function createLineProgress(sink: ProgressSink, label: string): Progress {
  let last: string | undefined;
  let lastAt = 0;
  return {
    update(text, elapsedMs) {
      if (text !== last || elapsedMs - lastAt >= HEARTBEAT_MS) {
        sink.write(`${label}: ${text} · ${formatDuration(elapsedMs)}\n`);
        last = text;
        lastAt = elapsedMs;
      }
    },
    log: (line) => sink.write(`${label}: ${line}\n`),
    stop() {},
  };
}

/**
 * A spinner that rewrites one line of stderr (ora, loaded only when a terminal shows it). Its frames take
 * `colors`, the stream's colours: ora's own `color` would colour them by chalk's guess about stdout,
 * which reads neither NO_COLOR nor the stream ora writes to.
 */
export async function createSpinnerProgress(stream: NodeJS.WritableStream, label: string, colors: Colors): Promise<Progress> {
  const { default: ora } = await import('ora');
  const spinner = ora({ text: label, stream, isEnabled: true, discardStdin: false, color: false });
  const { frames, interval } = spinner.spinner;
  spinner.spinner = { frames: frames.map((f) => colors.cyan(f)), interval };
  spinner.start();
  let text = '';
  let base = 0;
  let at = performance.now();
  const render = () => {
    if (text) spinner.text = `${label}: ${text} · ${formatDuration(base + performance.now() - at)}`;
  };
  // The elapsed time keeps counting between polls, which may be 10s apart.
  const ticker = setInterval(render, 1000);
  ticker.unref();
  return {
    update(next, elapsedMs) {
      text = next;
      base = elapsedMs;
      at = performance.now();
      render();
    },
    log(line) {
      // ora redraws its line in place: cleared first, the line stays above it.
      spinner.clear();
      stream.write(`${label}: ${line}\n`);
      spinner.render();
    },
    stop() {
      clearInterval(ticker);
      spinner.stop();
    },
  };
}
