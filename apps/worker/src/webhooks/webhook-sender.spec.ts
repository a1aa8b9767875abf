import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RESPONSE_EXCERPT_BYTES, WebhookSender } from './webhook-sender';

/** A resolver that never answers: the slow DNS the timeout must cover. */
const neverResolves = () => new Promise<never>(() => undefined);

describe('WebhookSender', () => {
  let server: Server;
  let port: number;
  let senders: WebhookSender[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url !== '/endless') return response.writeHead(204).end();
      // A status and 2 KiB at once, then a body that never ends.
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('a'.repeat(2 * RESPONSE_EXCERPT_BYTES));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(() => {
    for (const sender of senders) sender.close();
    senders = [];
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function sender(options: Partial<ConstructorParameters<typeof WebhookSender>[0]> = {}): WebhookSender {
    const created = new WebhookSender({ timeoutMs: 200, allowPrivateTargets: true, maxSockets: 4, ...options });
    senders.push(created);
    return created;
  }

  it('ends the attempt at its timeout when the host never resolves (DNS is inside the timeout)', async () => {
    const outcome = await sender({ resolve: neverResolves }).send({ url: 'http://slow-dns.example/hook', headers: {}, body: '{}' });
    expect(outcome).toMatchObject({
      statusCode: null,
      error: 'no complete answer within 200 ms (the host did not resolve in time)',
    });
  });

  it('delivers once the host resolves within the timeout', async () => {
    const outcome = await sender({ resolve: async () => ({ address: '127.0.0.1', family: 4 }) }).send({
      url: `http://receiver.example:${port}/hook`,
      headers: {},
      body: '{}',
    });
    expect(outcome).toMatchObject({ statusCode: 204, error: null });
  });

  it('records the status and the first KiB of an answer whose body goes on, without waiting for its end', async () => {
    const outcome = await sender({ timeoutMs: 5_000 }).send({ url: `http://127.0.0.1:${port}/endless`, headers: {}, body: '{}' });
    expect(outcome).toMatchObject({ statusCode: 200, error: null, responseBody: 'a'.repeat(RESPONSE_EXCERPT_BYTES) });
  });
});
