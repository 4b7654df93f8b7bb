import { UsageError } from '../../errors.js';
import { DEFAULT_EXPECTED_HEADER } from '../../core/verify-check.js';
import { DEFAULT_HOST, DEFAULT_PATH, DEFAULT_PORT, DEFAULT_VERIFY_TIMEOUT_MS, type VerifyOptions } from '../../steps/verify.js';
import { durationFlag, intFlag } from './common.js';

export interface VerifyFlags {
  asg?: string;
  instanceId?: string;
  host?: string;
  port?: string;
  path?: string;
  timeout?: string;
  expectHeader?: string;
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
// RFC 3986 path characters plus '?' and '/'. Some of them mean something to a shell; the script quotes them.
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export function toVerifyOptions(flags: VerifyFlags): VerifyOptions {
  const host = flags.host ?? DEFAULT_HOST;
  if (!HOST.test(host)) throw new UsageError(`--host: "${host}" is not a DNS name or IPv4 address`);
  const path = flags.path ?? DEFAULT_PATH;
  if (!PATH.test(path))
    throw new UsageError(`--path: "${path}" must start with / and hold only URL path characters (no spaces, quotes or backticks)`);
  const port = intFlag(flags.port, '--port', 1, 65535) ?? DEFAULT_PORT;
  const timeoutMs = durationFlag(flags.timeout, '--timeout', DEFAULT_VERIFY_TIMEOUT_MS);
  if (flags.instanceId !== undefined && !/^(i|mi)-[0-9a-f]{8,17}$/.test(flags.instanceId)) {
    throw new UsageError(`--instance-id: "${flags.instanceId}" is not an EC2 instance id (i-0123456789abcdef0)`);
  }
  let expect = DEFAULT_EXPECTED_HEADER;
  if (flags.expectHeader !== undefined) {
    const eq = flags.expectHeader.indexOf('=');
    const name = flags.expectHeader.slice(0, eq).trim();
    if (eq <= 0 || !HEADER_NAME.test(name))
      throw new UsageError(`--expect-header: "${flags.expectHeader}" is not NAME=VALUE (for example server=envoy)`);
    expect = { name, value: flags.expectHeader.slice(eq + 1).trim() };
  }
  // curl's own limit stays inside the SSM wait so its answer still arrives.
  const curlSeconds = Math.max(1, Math.min(30, Math.floor(timeoutMs / 2000)));
  return { asg: flags.asg, instanceId: flags.instanceId, target: { host, port, path, timeoutSeconds: curlSeconds }, timeoutMs, expect };
}
