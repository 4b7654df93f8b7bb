#!/usr/bin/env node
// `--help`, `--version` and `<command> --help` are answered from dist/help.json, which the build makes
// from the program itself, so they start as fast as node does; everything else loads the program.
import { readFileSync } from 'node:fs';

// A reader that went away (`meshctl migrate apply --help | head`): a closed stdout ends meshctl quietly,
// with the exit code it had so far (0 unless a failure was already reported), not with an EPIPE stack
// trace; a closed stderr leaves nothing to tell anyone.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});
process.stderr.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
});

const args = process.argv.slice(2);
const isHelp = (a) => a === '--help' || a === '-h';
let cached;
try {
  if (args.length === 1 || (args.length === 2 && isHelp(args[1]))) {
    const { version, help } = JSON.parse(readFileSync(new URL('../dist/help.json', import.meta.url), 'utf8'));
    if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) cached = `${version}\n`;
    else if (args.length === 1 && isHelp(args[0])) cached = help[''];
    else if (args.length === 2 && Object.hasOwn(help, args[0])) cached = help[args[0]];
  }
} catch {
  // No cache (a build in progress): the program answers.
}
if (cached !== undefined) process.stdout.write(cached);
else {
  import('../dist/main.js').then((m) => m.main(process.argv));
}
