import { AppMeshClient, ListMeshesCommand } from '@aws-sdk/client-app-mesh';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isServiceGone, sender } from '../../src/aws/aws-error.js';
import { AwsCallError } from '../../src/errors.js';

// Every way an ended service can answer, sent by a real HTTP server on loopback and read by the real
// SDK client, then translated by meshctl's one translation: all are "gone" alike (issue 18 item 5).
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

let server: Server;
let url = '';
let next: Answer | 'reset' = { status: 200 };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (next === 'reset') return req.socket.destroy();
      res.writeHead(next.status, next.headers ?? {});
      res.end(next.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function failureOf(answer: Answer | 'reset', endpoint = url): Promise<unknown> {
  next = answer;
  const client = new AppMeshClient({
    region: 'us-west-2',
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  try {
    await sender(client, endpoint)('ListMeshes', new ListMeshesCommand({}));
    return undefined;
  } catch (err) {
    return err;
  } finally {
    client.destroy();
  }
}

const json = (type: string) => ({ 'content-type': 'application/json', 'x-amzn-errortype': type });

describe('isServiceGone: an ended service, however it answers', () => {
  it.each<[string, Answer | 'reset']>([
    ['403 AccessDeniedException', { status: 403, headers: json('AccessDeniedException'), body: '{"message":"denied"}' }],
    ['403 with an HTML page', { status: 403, headers: { 'content-type': 'text/html' }, body: '<html>Forbidden</html>' }],
    ['404 UnknownOperationException (header)', { status: 404, headers: json('UnknownOperationException'), body: '{"message":null}' }],
    ['404 UnknownOperationException (body __type)', { status: 404, body: '{"__type":"UnknownOperationException"}' }],
    ['404 with an HTML page', { status: 404, headers: { 'content-type': 'text/html' }, body: '<html>404 Not Found</html>' }],
    ['404 with a bare JSON message', { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"Not Found"}' }],
    ['404 with no body', { status: 404 }],
    ['405 method not allowed', { status: 405 }],
    ['410 gone', { status: 410 }],
    ['400 InvalidAction', { status: 400, headers: json('InvalidAction'), body: '{"message":"no such action"}' }],
    ['400 UnrecognizedClientException', { status: 400, headers: json('UnrecognizedClientException'), body: '{"message":"who?"}' }],
    ['501 not implemented', { status: 501 }],
    ['503 through every retry', { status: 503 }],
    ['502 with an HTML page', { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad gateway</html>' }],
    ['301 to elsewhere', { status: 301, headers: { location: 'http://127.0.0.1:9/' } }],
    ['200 with an HTML page', { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>parked</html>' }],
    ['the connection reset', 'reset'],
  ])('%s', async (_name, answer) => {
    const err = await failureOf(answer);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(isServiceGone(err), String(err)).toBe(true);
  });

  it('no server on the port (refused), and a name that does not resolve', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect(isServiceGone(await failureOf({ status: 200 }, `http://127.0.0.1:${port}`))).toBe(true);
    expect(isServiceGone(await failureOf({ status: 200 }, 'http://appmesh.invalid'))).toBe(true);
  });

  it.each<[string, Answer]>([
    [
      'a named object that does not exist (NotFoundException)',
      { status: 404, headers: json('NotFoundException'), body: '{"message":"mesh"}' },
    ],
    ['throttling after retries', { status: 400, headers: json('ThrottlingException'), body: '{"message":"slow down"}' }],
    ['a bad request', { status: 400, headers: json('BadRequestException'), body: '{"message":"bad"}' }],
  ])('is not: %s', async (_name, answer) => {
    const err = await failureOf(answer);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(isServiceGone(err)).toBe(false);
  });

  it('is not anything but a translated AWS error', () => {
    expect(isServiceGone(new Error('ECONNREFUSED'))).toBe(false);
    expect(isServiceGone(undefined)).toBe(false);
  });
});
