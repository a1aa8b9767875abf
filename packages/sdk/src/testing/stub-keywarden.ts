import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keywarden } from '../client';

/** Test support for the middleware specs; not part of the built SDK. */

export const ADMIN_KEY = 'kw_admin_middlewareKeyForVerify0123456789ab';
export const IDENTITY = { keyId: 'key_1', appId: 'app_1', env: 'live', scopes: ['orders.read'], expiresAt: null };

export interface StubAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Stands in for the Keywarden API over real HTTP: scripted verify answers, recorded calls. */
export class StubKeywarden {
  readonly verifies: Array<{ authorization: string | undefined; body: Record<string, unknown> }> = [];
  readonly releases: string[] = [];
  verifyAnswer: StubAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY } };
  releaseAnswer: StubAnswer = { status: 200, body: { released: true } };
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        const lease = /^\/v1\/keys\/leases\/([^/]+)\/release$/.exec(request.url ?? '');
        let answer: StubAnswer;
        if (request.method === 'POST' && request.url === '/v1/keys/verify') {
          this.verifies.push({ authorization: request.headers.authorization, body: JSON.parse(text) });
          answer = this.verifyAnswer;
        } else if (request.method === 'POST' && lease) {
          this.releases.push(decodeURIComponent(lease[1]));
          answer = this.releaseAnswer;
        } else {
          answer = { status: 404, body: { error: { code: 'NOT_FOUND', message: 'Resource not found', requestId: 'req_stub' } } };
        }
        response.writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  client(): Keywarden {
    return new Keywarden({ baseUrl: this.baseUrl, apiKey: ADMIN_KEY, retries: 0 });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export async function eventually(check: () => void, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A URL where nothing listens: a server that was started and closed again. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
