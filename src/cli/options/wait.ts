import type { Command } from 'commander';
import { DEFAULT_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS, type WaitOptions } from '../../steps/wait-running.js';
import { checkAll, durationFlag, intFlag } from './common.js';

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

/** Adds --count, --interval and --timeout. */
export function addWaitFlags(cmd: Command): Command {
  return cmd
    .option('--count <n>', "tasks that must be RUNNING (default: the service's desiredCount)")
    .option('--interval <duration>', 'longest pause between polls; polling starts at 0.25s and backs off to this', '10s')
    .option('--timeout <duration>', 'give up waiting after this long (exit 1)', '10m');
}
