import type { Command } from 'commander';
import { DEFAULT_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS, type WaitOptions } from '../../steps/wait-running.js';
import { checkAll, durationFlag, intFlag } from './common.js';
import { addOptions, type OptionDecl } from './declare.js';

/** The flags of every command that waits as wait-running does. */
export interface WaitFlags {
  count?: string;
  interval?: string;
  timeout?: string;
}

export function toWaitOptions(flags: WaitFlags): WaitOptions {
  const [count, intervalMs, timeoutMs] = checkAll(
    () => intFlag(flags.count, '--count', 1, 5000),
    () => durationFlag(flags.interval, '--interval', DEFAULT_INTERVAL_MS, 100),
    () => durationFlag(flags.timeout, '--timeout', DEFAULT_WAIT_TIMEOUT_MS, 1000),
  );
  return { count, intervalMs, timeoutMs };
}

/** The flags of every command that waits as wait-running does. */
export const WAIT_OPTIONS = {
  count: { flags: '--count <n>', help: "tasks that must be RUNNING (default: the service's desiredCount)" },
  interval: {
    flags: '--interval <duration>',
    help: 'longest pause between polls; polling starts at 0.25s and backs off to this',
    default: '10s',
  },
  timeout: { flags: '--timeout <duration>', help: 'give up waiting after this long (exit 1)', default: '10m' },
} as const satisfies Record<keyof WaitFlags, OptionDecl>;

/** Adds --count, --interval and --timeout. */
export function addWaitFlags(cmd: Command): Command {
  return addOptions(cmd, Object.values(WAIT_OPTIONS));
}
