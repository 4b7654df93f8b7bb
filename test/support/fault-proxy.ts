import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind = 'throttle' | '500' | '503' | '403' | '404' | 'reset' | 'reset-after' | 'latency' | 'barrier' | 'answer';

export interface FaultRule {
  kind: FaultKind;
  /** Share of matching requests that get this fault, 0 to 1. */
  rate: number;
  /** Only these operations (e.g. `RegisterTaskDefinition`); all when absent. */
  operations?: string[];
  /** Only operations this matches (App Mesh's REST paths: /^\w+ \/v20190125\//). */
  match?: RegExp;
  /** `latency`: how long a request waits; `barrier`: how long it waits at most for the others. */
  latencyMs?: number;
  /** `barrier`: requests of one operation are held until this many have arrived (default 2), then sent together. */
  parties?: number;
  /** `answer`: this status, headers and body instead of the service's answer. */
  answer?: { status: number; headers?: Record<string, string>; body?: string };
}

export interface FaultProxy {
  url: string;
  /** Every request seen, by operation. */
  seen: Map<string, number>;
  /** Every fault injected, in order. */
  injected: { operation: string; kind: FaultKind }[];
  /** Every request's operation and body, in order: what meshctl sent, where the emulator keeps less of it. */
  sent: { operation: string; body: string }[];
  setRules(rules: FaultRule[]): void;
  close(): Promise<void>;
}

/** The AWS operation a request is for: X-Amz-Target (JSON protocols), Action (query protocol), or the REST path. */
export function operationOf(req: IncomingMessage, body: string): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop()!;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body);
  if (action) return action[1]!;
  return `${req.method} ${(req.url ?? '').split('?')[0]}`;
}

/**
 * Decides a fault from a hash of (seed, operation, how many calls of that operation came before), so a
 * run's faults do not depend on how polls interleave with other calls: the same seed, the same faults.
 */
function draw(seed: string, operation: string, index: number, rule: number): number {
  const h = createHash('sha256').update(`${seed}|${operation}|${index}|${rule}`).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000;
}

/** A query-protocol error: EC2's shape (Response/Errors), or the awsQuery one (ErrorResponse) of IAM, ELBv2, CloudFormation... */
function queryError(res: ServerResponse, status: number, code: string, message: string, ec2: boolean): void {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(
    ec2
      ? `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>fault</RequestID></Response>`
      : `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>`,
  );
}

/** `query`: the request is of the query protocol (EC2's when `ec2`); the handler tells it once for every fault. */
function errorResponse(res: ServerResponse, req: IncomingMessage, kind: 'throttle' | '500' | '503', query: boolean, ec2: boolean): void {
  const json = typeof req.headers['x-amz-target'] === 'string';
  const status = kind === 'throttle' ? (json ? 400 : query ? 503 : 429) : Number(kind);
  const code =
    kind === 'throttle'
      ? json
        ? 'ThrottlingException'
        : query
          ? 'RequestLimitExceeded'
          : 'TooManyRequestsException'
      : json
        ? 'ServerException'
        : 'InternalFailure';
  if (query) queryError(res, status, code, 'injected by the fault proxy', ec2);
  else {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code });
    res.end(JSON.stringify({ __type: code, message: 'injected by the fault proxy' }));
  }
}

/** A loopback HTTP proxy in front of `target` (moto) that injects AWS-shaped faults. */
export async function startFaultProxy(target: string, rules: FaultRule[] = [], seed = 'meshctl'): Promise<FaultProxy> {
  const upstream = new URL(target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(upstream.hostname)) throw new Error('the fault proxy only forwards to loopback');
  let active = rules;
  const seen = new Map<string, number>();
  const injected: FaultProxy['injected'] = [];
  const sent: FaultProxy['sent'] = [];
  // Held requests of a barrier, by operation: released together once `parties` are there, or each after its timeout.
  const held = new Map<string, (() => void)[]>();
  const barrier = (operation: string, parties: number, timeoutMs: number) =>
    new Promise<void>((resolve) => {
      const waiting = [...(held.get(operation) ?? []), resolve];
      if (waiting.length >= parties) {
        held.delete(operation);
        return waiting.forEach((release) => release());
      }
      held.set(operation, waiting);
      setTimeout(() => {
        const still = held.get(operation) ?? [];
        if (!still.includes(resolve)) return;
        held.set(
          operation,
          still.filter((r) => r !== resolve),
        );
        resolve();
      }, timeoutMs);
    });

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    onResponse: (status: number, headers: IncomingMessage['headers'], data: Buffer) => void,
    onError: () => void,
  ) => {
    const out = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => onResponse(up.statusCode ?? 502, up.headers, Buffer.concat(chunks)));
      },
    );
    out.on('error', onError);
    out.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const operation = operationOf(req, body.toString('utf8'));
      sent.push({ operation, body: body.toString('utf8') });
      const query = (req.headers['content-type'] ?? '').includes('x-www-form-urlencoded');
      // EC2's query API is the one at version 2016-11-15.
      const ec2 = query && /(?:^|&)Version=2016-11-15(?:&|$)/.test(body.toString('utf8'));
      const index = seen.get(operation) ?? 0;
      seen.set(operation, index + 1);
      const applies = (r: FaultRule) => (!r.operations || r.operations.includes(operation)) && (!r.match || r.match.test(operation));
      const rule = active.find((r, i) => applies(r) && draw(seed, operation, index, i) < r.rate);
      if (rule) injected.push({ operation, kind: rule.kind });
      if (rule?.kind === 'latency') await new Promise((r) => setTimeout(r, rule.latencyMs ?? 500));
      if (rule?.kind === 'barrier') await barrier(operation, rule.parties ?? 2, rule.latencyMs ?? 5000);
      if (rule?.kind === 'reset') return req.socket.destroy();
      if (rule && (rule.kind === 'throttle' || rule.kind === '500' || rule.kind === '503'))
        return errorResponse(res, req, rule.kind, query, ec2);
      if (rule?.kind === '403' && query) return queryError(res, 403, 'AccessDenied', 'injected by the fault proxy: access denied', ec2);
      if (rule?.kind === '403') {
        // What a retired or forbidden API answers: AccessDenied for the operation.
        res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' });
        return res.end(JSON.stringify({ message: 'injected by the fault proxy: access denied' }));
      }
      if (rule?.kind === 'answer') {
        res.writeHead(rule.answer?.status ?? 404, rule.answer?.headers ?? {});
        return res.end(rule.answer?.body ?? '');
      }
      if (rule?.kind === '404') {
        // An endpoint that does not offer the operation at all: an HTML page, not an AWS error.
        res.writeHead(404, { 'content-type': 'text/html' });
        return res.end('<html><body>404 Not Found</body></html>');
      }
      forward(
        req,
        body,
        (status, headers, data) => {
          // The call reached AWS and did its work; only the answer is lost.
          if (rule?.kind === 'reset-after') return req.socket.destroy();
          res.writeHead(status, headers);
          res.end(data);
        },
        () => req.socket.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    injected,
    sent,
    setRules: (next) => void (active = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
