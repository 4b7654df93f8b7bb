import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BIN } from './cli.js';

const run = promisify(execFile);

/** meshctl in a real terminal: a tmux pane of a fixed size, on a private tmux server. */
export interface TmuxPane {
  /** What the pane shows, scrollback included, wrapped lines joined, line ends trimmed; with `escapes`, colours as SGR sequences. */
  capture(options?: { escapes?: boolean }): Promise<string>;
  /** Captures until `pattern` matches what the pane shows. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Captures with escapes until a line, its SGR sequences aside, matches `pattern`; that line, escapes kept (a redraw may be half done in one capture). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Keys as tmux names them: `C-c` is Ctrl-C, which the terminal turns into SIGINT. */
  sendKeys(...keys: string[]): Promise<void>;
  /** meshctl's exit status, once it has exited (the pane stays to be captured). */
  exited(timeoutMs?: number): Promise<number>;
  /** Stops this pane's tmux server (its own socket: no other tmux is touched) and removes its folder. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `meshctl args` in a new tmux server whose socket lives in a private temporary folder. The
 * environment is clean, as runCli's, but CI is unset (a terminal user), and TERM names tmux's terminal.
 */
export async function startInTmux(
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined>; width?: number; height?: number },
): Promise<TmuxPane> {
  const dir = await mkdtemp(join(tmpdir(), 'meshctl-tmux-'));
  const socket = join(dir, 'socket');
  const config = join(dir, 'tmux.conf');
  await writeFile(config, 'set -g remain-on-exit on\nset -g history-limit 5000\nset -g status off\n', { mode: 0o600 });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.cwd,
    TERM: 'tmux-256color',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const [k, v] of Object.entries(options.env)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const tmux = (...a: string[]) => run('tmux', ['-S', socket, ...a], { env: { PATH: env.PATH!, TMUX_TMPDIR: dir } });
  // meshctl's exit status goes to a file: tmux 3.3 reads a child's status late or, under load, not at all
  // (a clean exit read as a dead pane with no status). A caught INT lets the shell outlive Ctrl-C and write
  // 130 for meshctl; the trap is reset in meshctl, which gets the SIGINT as from a terminal. Given as
  // several arguments, the command runs without a second shell: nothing to quote.
  const statusFile = join(dir, 'status');
  const command = [
    'sh',
    '-c',
    'trap : INT; "$@"; echo "$?" > "$0.tmp" && mv "$0.tmp" "$0"',
    statusFile,
    'env',
    '-i',
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    process.execPath,
    BIN,
    ...args,
  ];
  await tmux(
    '-f',
    config,
    'new-session',
    '-d',
    '-s',
    'meshctl',
    '-x',
    String(options.width ?? 120),
    '-y',
    String(options.height ?? 40),
    '-c',
    options.cwd,
    ...command,
  );
  // tmux shows the cells ESC[K erased as spaces: what is left at the end of a line is nothing.
  const capture = async (o: { escapes?: boolean } = {}) =>
    (await tmux('capture-pane', '-p', '-J', ...(o.escapes ? ['-e'] : []), '-S', '-', '-E', '-', '-t', 'meshctl')).stdout
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  return {
    capture,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const shown = await capture();
        if (pattern.test(shown)) return shown;
        if (Date.now() > deadline) throw new Error(`the pane never showed ${pattern}; it shows:\n${shown}`);
        await sleep(100);
      }
    },
    async waitForLine(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // eslint-disable-next-line no-control-regex
        const line = (await capture({ escapes: true })).split('\n').find((l) => pattern.test(l.replace(/\x1b\[[0-9;]*m/g, '')));
        if (line !== undefined) return line;
        if (Date.now() > deadline) throw new Error(`the pane never showed a line matching ${pattern}; it shows:\n${await capture()}`);
        await sleep(100);
      }
    },
    async sendKeys(...keys) {
      await tmux('send-keys', '-t', 'meshctl', ...keys);
    },
    async exited(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await readFile(statusFile, 'utf8').catch(() => '');
        // The status is written (renamed into place whole) after meshctl's last byte reached the pane; the
        // pane is dead a moment later, when the shell has gone.
        const dead = status ? (await tmux('display-message', '-p', '-t', 'meshctl', '#{pane_dead}')).stdout.trim() === '1' : false;
        if (dead) return Number(status.trim());
        if (Date.now() > deadline) throw new Error(`meshctl did not exit; the pane shows:\n${await capture()}`);
        await sleep(100);
      }
    },
    async close() {
      await tmux('kill-server').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
