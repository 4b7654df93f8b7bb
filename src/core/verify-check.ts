import { shellQuote } from './shell-quote.js';

export interface VerifyTarget {
  host: string;
  port: number;
  path: string;
  timeoutSeconds: number;
}

export interface ExpectedHeader {
  name: string;
  value: string;
}

/** GetCommandInvocation states after which the command may still produce output (NotYetVisible is meshctl's own, for InvocationDoesNotExist). */
export const PENDING_INVOCATION_STATES: ReadonlySet<string> = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling', 'NotYetVisible']);

export const DEFAULT_EXPECTED_HEADER: ExpectedHeader = { name: 'server', value: 'envoy' };

const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
const RESOLVED = 'meshctl-resolved:';
const CURL_EXIT = 'meshctl-curl-exit:';

/**
 * The workshop's check as one AWS-RunShellScript command: resolve the host with dig, curl -v the first
 * address. Every user value enters as a single-quoted assignment and is only ever used inside double
 * quotes, so nothing in it is interpreted by the remote shell.
 */
export function buildVerifyScript(target: VerifyTarget): string[] {
  const resolve = IPV4.test(target.host) ? 'addr="$host"' : `addr=$(dig +short "$host" | grep -E '^[0-9]+(\\.[0-9]+){3}$' | head -n 1)`;
  return [
    `host=${shellQuote(target.host)}`,
    `port=${shellQuote(String(target.port))}`,
    `path=${shellQuote(target.path)}`,
    `max_time=${shellQuote(String(target.timeoutSeconds))}`,
    resolve,
    `if [ -z "$addr" ]; then echo "${RESOLVED} "; echo "meshctl: dig found no address for $host"; exit 0; fi`,
    `echo "${RESOLVED} $addr"`,
    'out=$(curl -sS -v --max-time "$max_time" "http://$addr:$port$path" 2>&1); rc=$?',
    `printf '%s\\n' "$out" | head -c 16000`,
    `echo "${CURL_EXIT} $rc"`,
  ];
}

export interface CurlResult {
  /** The address dig returned; '' when it found none; undefined when the script printed nothing. */
  resolvedAddress?: string;
  curlExit?: number;
  status?: number;
  statusLine?: string;
  headers: Record<string, string>;
  body: string;
}

/** Parses the output of buildVerifyScript's commands (curl -v with stderr merged) into a typed result. */
export function parseCurlOutput(output: string): CurlResult {
  const result: CurlResult = { headers: {}, body: '' };
  const body: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith(RESOLVED)) {
      result.resolvedAddress = line.slice(RESOLVED.length).trim();
    } else if (line.startsWith(CURL_EXIT)) {
      result.curlExit = Number(line.slice(CURL_EXIT.length).trim());
    } else if (line.startsWith('< ')) {
      const text = line.slice(2);
      const status = /^HTTP\/[\d.]+ (\d{3})\b/.exec(text);
      if (status) {
        // A new response (after a 100 Continue, say): keep only the last one's headers.
        result.status = Number(status[1]);
        result.statusLine = text.trim();
        result.headers = {};
      } else {
        const colon = text.indexOf(':');
        if (colon > 0) result.headers[text.slice(0, colon).trim().toLowerCase()] = text.slice(colon + 1).trim();
      }
    } else if (!/^[*<>{}] /.test(line) && line !== '<' && line !== '>' && result.resolvedAddress !== undefined) {
      body.push(line);
    }
  }
  result.body = body.join('\n').trim();
  return result;
}

export interface VerifyVerdict {
  ok: boolean;
  reason: string;
}

/** Decides whether the curl result passes: a 2xx status carrying the expected header. */
export function judgeCurlResult(result: CurlResult, expected: ExpectedHeader): VerifyVerdict {
  if (result.resolvedAddress === undefined && result.curlExit === undefined) {
    return { ok: false, reason: 'the check printed no output (is the SSM agent running the script, and are dig and curl installed?)' };
  }
  if (result.resolvedAddress === '') return { ok: false, reason: 'dig found no address for the host' };
  if (result.status === undefined) {
    return {
      ok: false,
      reason: `curl got no HTTP response (curl exit ${result.curlExit ?? 'unknown'})${result.body ? `: ${firstLine(result.body)}` : ''}`,
    };
  }
  const have = result.headers[expected.name.toLowerCase()];
  if (result.status < 200 || result.status > 299) {
    return {
      ok: false,
      reason: `HTTP ${result.status} is not a success status${have !== undefined ? ` (${expected.name}: ${have})` : ''}`,
    };
  }
  if (have === undefined)
    return { ok: false, reason: `HTTP ${result.status} without a "${expected.name}" header; the request did not pass through envoy` };
  if (have.toLowerCase() !== expected.value.toLowerCase()) {
    return { ok: false, reason: `HTTP ${result.status} with ${expected.name}: ${have}, expected ${expected.value}` };
  }
  return { ok: true, reason: `HTTP ${result.status} with ${expected.name}: ${have}` };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 200);
}
