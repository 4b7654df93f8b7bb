import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/** Parses `90`, `90s`, `1m30s`, `500ms`, `2h` into milliseconds; a bare number is seconds. */
export function parseDuration(text: string, flag: string): number {
  const value = text.trim();
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
      throw new UsageError(`${flag}: "${text}" is not a duration; use for example 30s, 2m, 1m30s or 500ms`);
    }
  }
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`${flag}: must be more than zero, got "${text}"`);
  // 0.4ms would round to 0, which means "no time at all" to every wait.
  if (Math.round(ms) < 1) throw new UsageError(`${flag}: "${text}" is less than 1ms`);
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
