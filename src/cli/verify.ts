import type { Command } from 'commander';
import { CommandFailedError } from '../errors.js';
import type { Deps } from '../steps/context.js';
import { DEFAULT_HOST, DEFAULT_PATH, DEFAULT_PORT, runVerify, verifyFailure, type VerifyResult } from '../steps/verify.js';
import type { Report } from '../ui/output.js';
import { contextOf } from './options/common.js';
import { toVerifyOptions, type VerifyFlags } from './options/verify.js';

export function verifyReport(r: VerifyResult): Report {
  return {
    data: { ...r },
    lines: [`${r.ok ? 'ok' : 'FAILED'}: ${r.url} from ${r.instanceId}${r.resolvedAddress ? ` (${r.resolvedAddress})` : ''}: ${r.reason}`],
  };
}

export function registerVerify(program: Command, deps: Deps): void {
  program
    .command('verify')
    .description('curl the service from an instance of the ASG through SSM and check for server: envoy')
    .option('--instance-id <id>', 'run the check on this instance instead')
    .option('--host <name>', `host to resolve with dig (default: ${DEFAULT_HOST})`)
    .option('--port <port>', `port to curl (default: ${DEFAULT_PORT})`)
    .option('--path <path>', `path to curl (default: ${DEFAULT_PATH})`)
    .option('--timeout <duration>', 'how long to wait for the SSM command', '2m')
    .option('--expect-header <name=value>', 'header the answer must carry (default: server=envoy)')
    .addHelpText(
      'after',
      '\nExamples:\n  meshctl verify\n  meshctl verify --instance-id i-0123456789abcdef0 --path /health --expect-header server=envoy\n\nExit 0 only for a 2xx answer carrying the expected header; otherwise exit 1 with what was seen.',
    )
    .action(async (_local: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<VerifyFlags>();
      const opts = toVerifyOptions(flags);
      const result = await runVerify(contextOf(cmd, deps), opts);
      if (!result.ok) throw new CommandFailedError(verifyFailure(result), verifyReport(result));
      deps.ui.result(verifyReport(result));
    });
}
