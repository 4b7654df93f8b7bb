import { UsageError } from '../errors.js';
import { escapeControls } from './escape.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/**
 * Node's timers hold at most 2^31-1 ms (about 24.8 days): a longer setTimeout fires at once, with a
 * TimeoutOverflowWarning. Sleeps longer than this wait in chunks of it (src/steps/clock.ts).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The longest duration any flag or meshctl.yaml key takes: 15 days, as long as CloudWatch keeps the
 * 1-minute datapoints --window reads, and below MAX_TIMER_MS (the README's Safety section says so).
 */
export const MAX_DURATION_MS = 15 * 86_400_000;

/** Parses `90`, `90s`, `1m30s`, `500ms`, `2h`, `1d` into milliseconds; a bare number is seconds; at most MAX_DURATION_MS. */
export function parseDuration(text: string, flag: string): number {
  const value = text.trim();
  const shown = escapeControls(text);
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) {
    ms = Number(value) * 1000;
  } else {
    PART.lastIndex = 0;
    ms = 0;
    let matched = 0;
    for (let m = PART.exec(value); m; m = PART.exec(value)) {
      ms += Number(m[1]) * UNIT_MS[m[2]!]!;
      matched = PART.lastIndex;
    }
    if (matched === 0 || matched !== value.length) {
      throw new UsageError(`${flag}: "${shown}" is not a duration; use for example 30s, 2m, 1m30s or 500ms`);
    }
  }
  // Past the maximum (Infinity too: 400 digits): refused, never handed to a timer that would fire at once.
  if (!(ms <= MAX_DURATION_MS))
    throw new UsageError(
      `${flag}: "${shown}" is longer than ${MAX_DURATION_MS / 86_400_000} days (${MAX_DURATION_MS / 3_600_000}h), the longest duration meshctl takes`,
    );
  if (ms <= 0) throw new UsageError(`${flag}: must be more than zero, got "${shown}"`);
  // 0.4ms would round to 0, which means "no time at all" to every wait.
  if (Math.round(ms) < 1) throw new UsageError(`${flag}: "${shown}" is less than 1ms`);
  return Math.round(ms);
}

/** Formats milliseconds for people: `40s`, `2m05s`, `850ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total}s`;
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}m${String(s).padStart(2, '0')}s`;
}
