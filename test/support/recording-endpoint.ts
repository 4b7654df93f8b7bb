import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operationOf } from './fault-proxy.js';

/** An AWS endpoint that answers every request with a 500 and remembers it: a case refused locally leaves `seen` empty. */
export interface RecordingEndpoint {
  url: string;
  /** The operations asked for since the last clear(), in order. */
  seen: string[];
  clear(): void;
  close(): Promise<void>;
}

export async function startRecordingEndpoint(): Promise<RecordingEndpoint> {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push(operationOf(req, body));
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ __type: 'InternalFailure', message: 'the recording endpoint answers nothing' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    clear: () => void seen.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
