import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keywarden } from './client';
import { KeywardenError } from './errors';

const API_KEY = 'kw_admin_retryAfterSpecKey0123456789abcdef';
const ME = { keyId: 'akey_1', kind: 'admin', workspaceId: 'ws_1', name: 'n', prefix: 'kw_admin_retr', scopes: ['*'], appIds: null, environment: 'admin', expiresAt: null };

/** Answers 503 (or the given refusal) with the given Retry-After as long as `unavailable` lasts, then the identity; records when each call came. */
class FlakyKeywarden {
  readonly arrivals: number[] = [];
  private readonly server: Server;

  constructor(
    private unavailable: number,
    private readonly retryAfter: string,
    private readonly refusal = { status: 503, code: 'SERVICE_UNAVAILABLE' },
  ) {
    this.server = createServer((request, response) => {
      this.arrivals.push(Date.now());
      request.resume();
      if (this.unavailable > 0) {
        this.unavailable--;
        response
          .writeHead(this.refusal.status, { 'content-type': 'application/json', 'retry-after': this.retryAfter })
          .end(JSON.stringify({ error: { code: this.refusal.code, message: 'Try again later', requestId: 'req_flaky' } }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ME));
    });
  }

  async start(): Promise<Keywarden> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return new Keywarden({ baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY, retries: 2 });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('Retry-After', () => {
  let flaky: FlakyKeywarden | undefined;
  afterEach(() => flaky?.close());

  it('waits at least the seconds the server asked for before trying again', async () => {
    flaky = new FlakyKeywarden(1, '1');
    const kw = await flaky.start();

    await expect(kw.me()).resolves.toMatchObject({ keyId: 'akey_1' });

    expect(flaky.arrivals).toHaveLength(2);
    expect(flaky.arrivals[1] - flaky.arrivals[0]).toBeGreaterThanOrEqual(1_000);
  });

  it('hands a wait longer than the client waits on its own to the caller at once, as retryAfter', async () => {
    flaky = new FlakyKeywarden(3, '5');
    const kw = await flaky.start();

    const error = await kw.me().catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(KeywardenError);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, retryAfter: 5 });
    expect(flaky.arrivals).toHaveLength(1);
  });

  it('reads an HTTP-date Retry-After as the seconds until then', async () => {
    flaky = new FlakyKeywarden(3, new Date(Date.now() + 60_000).toUTCString());
    const kw = await flaky.start();

    const error = (await kw.me().catch((failure: unknown) => failure)) as KeywardenError;

    expect(error.retryAfter).toBeGreaterThanOrEqual(58);
    expect(error.retryAfter).toBeLessThanOrEqual(60);
    expect(flaky.arrivals).toHaveLength(1);
  });

  it('tells the caller of a 429, which is never retried, how long to wait', async () => {
    flaky = new FlakyKeywarden(1, '30', { status: 429, code: 'RATE_LIMITED' });
    const kw = await flaky.start();

    const error = await kw.me().catch((failure: unknown) => failure);

    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfter: 30 });
    expect(flaky.arrivals).toHaveLength(1);
  });
});
