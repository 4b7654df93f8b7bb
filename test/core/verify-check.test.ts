import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildVerifyScript, DEFAULT_EXPECTED_HEADER, judgeCurlResult, parseCurlOutput } from '../../src/core/verify-check.js';

const ENVOY_OUTPUT = `meshctl-resolved: 10.0.1.23
*   Trying 10.0.1.23:3000...
* Connected to 10.0.1.23 (10.0.1.23) port 3000 (#0)
> GET /crystal HTTP/1.1
> Host: 10.0.1.23:3000
> User-Agent: curl/7.61.1
> Accept: */*
>
< HTTP/1.1 200 OK
< content-type: text/plain
< content-length: 14
< date: Sun, 22 Nov 2026 20:00:00 GMT
< x-envoy-upstream-service-time: 2
< server: envoy
<
{ [14 bytes data]
* Connection #0 to host 10.0.1.23 left intact
envoy crystal
meshctl-curl-exit: 0
`;

describe('parseCurlOutput', () => {
  it('reads status, headers and body of curl -v', () => {
    const r = parseCurlOutput(ENVOY_OUTPUT);
    expect(r).toMatchObject({ resolvedAddress: '10.0.1.23', curlExit: 0, status: 200, body: 'envoy crystal' });
    expect(r.headers.server).toBe('envoy');
  });

  it('keeps only the last response after a 100 Continue', () => {
    const r = parseCurlOutput(
      'meshctl-resolved: 1.2.3.4\n< HTTP/1.1 100 Continue\n< server: other\n< HTTP/1.1 204 No Content\n< Server: envoy\nmeshctl-curl-exit: 0\n',
    );
    expect(r.status).toBe(204);
    expect(r.headers).toEqual({ server: 'envoy' });
  });

  it('reads CRLF line ends', () => {
    expect(parseCurlOutput(ENVOY_OUTPUT.replace(/\n/g, '\r\n')).headers.server).toBe('envoy');
  });
});

describe('judgeCurlResult', () => {
  it.each([
    [ENVOY_OUTPUT, true, /HTTP 200 with server: envoy/],
    ['', false, /printed no output/],
    ['meshctl-resolved: \nmeshctl: dig found no address for x\n', false, /dig found no address/],
    [
      'meshctl-resolved: 1.2.3.4\ncurl: (7) Failed to connect to 1.2.3.4 port 3000: Connection refused\nmeshctl-curl-exit: 7\n',
      false,
      /no HTTP response \(curl exit 7\): curl: \(7\)/,
    ],
    [ENVOY_OUTPUT.replace('server: envoy', 'server: nginx'), false, /server: nginx, expected envoy/],
    [ENVOY_OUTPUT.replace('< server: envoy\n', ''), false, /without a "server" header/],
    [ENVOY_OUTPUT.replace('200 OK', '503 Service Unavailable'), false, /HTTP 503 is not a success status \(server: envoy\)/],
  ])('judges case %#', (output, ok, reason) => {
    const verdict = judgeCurlResult(parseCurlOutput(output), DEFAULT_EXPECTED_HEADER);
    expect(verdict.ok).toBe(ok);
    expect(verdict.reason).toMatch(reason);
  });

  it('uses the expected header it is given', () => {
    const verdict = judgeCurlResult(parseCurlOutput(ENVOY_OUTPUT), { name: 'x-envoy-upstream-service-time', value: '2' });
    expect(verdict.ok).toBe(true);
  });
});

describe('buildVerifyScript', () => {
  it('puts user values only into single-quoted assignments', () => {
    const script = buildVerifyScript({ host: 'crystal.local', port: 3000, path: "/a;b$(id)`id`'q", timeoutSeconds: 10 });
    expect(script.slice(0, 4)).toEqual(['host=crystal.local', 'port=3000', `path='/a;b$(id)\`id\`'\\''q'`, 'max_time=10']);
    expect(script.slice(4).join('\n')).not.toContain('$(id)');
  });

  it('runs in a real shell with stub dig and curl, passing hostile values through unchanged', () => {
    const bin = mkdtempSync(join(tmpdir(), 'meshctl-verify-'));
    writeFileSync(join(bin, 'dig'), '#!/bin/sh\necho some.cname.\necho 10.9.8.7\n');
    // The stub curl prints its last argument the way curl -v prints a response.
    writeFileSync(
      join(bin, 'curl'),
      '#!/bin/sh\nfor a; do last="$a"; done\necho "< HTTP/1.1 200 OK" >&2\necho "< server: envoy" >&2\nprintf "%s\\n" "$last"\n',
    );
    chmodSync(join(bin, 'dig'), 0o755);
    chmodSync(join(bin, 'curl'), 0o755);
    const path = '/x;touch${IFS}/tmp/meshctl-pwned;$(id)`id`\'"';
    const script = buildVerifyScript({ host: 'crystal.local', port: 3000, path, timeoutSeconds: 5 }).join('\n');
    const out = execFileSync('/bin/bash', ['-c', script], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
    const r = parseCurlOutput(out);
    expect(r.resolvedAddress).toBe('10.9.8.7');
    expect(r.body).toBe(`http://10.9.8.7:3000${path}`);
    expect(judgeCurlResult(r, DEFAULT_EXPECTED_HEADER).ok).toBe(true);
  });

  it('skips dig for an IPv4 address', () => {
    expect(buildVerifyScript({ host: '10.0.0.5', port: 80, path: '/', timeoutSeconds: 5 }).join('\n')).not.toContain('dig +short');
  });
});

describe('buildVerifyScript with hostile values', () => {
  it.each([
    ['semicolon', '/a;reboot', "path='/a;reboot'"],
    ['command substitution', '/$(reboot)', "path='/$(reboot)'"],
    ['backticks', '/`reboot`', "path='/`reboot`'"],
    ['newline', '/a\nreboot', "path='/a\nreboot'"],
    ['single quote', "/it's", "path='/it'\\''s'"],
    ['double quote', '/"x"', `path='/"x"'`],
  ])('sends exactly the quoted assignment for a %s', (_name, path, assignment) => {
    const script = buildVerifyScript({ host: 'crystal.local', port: 3000, path, timeoutSeconds: 10 });
    expect(script).toEqual([
      'host=crystal.local',
      'port=3000',
      assignment,
      'max_time=10',
      `addr=$(dig +short "$host" | grep -E '^[0-9]+(\\.[0-9]+){3}$' | head -n 1)`,
      'if [ -z "$addr" ]; then echo "meshctl-resolved: "; echo "meshctl: dig found no address for $host"; exit 0; fi',
      'echo "meshctl-resolved: $addr"',
      'out=$(curl -sS -v --max-time "$max_time" "http://$addr:$port$path" 2>&1); rc=$?',
      `printf '%s\\n' "$out" | head -c 16000`,
      'echo "meshctl-curl-exit: $rc"',
    ]);
  });
});
