import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { deriveSecretBoxKey, generateWebhookSecret, newId, sealSecret, type WebhookEventType } from '@keywarden/core';
import type { Client } from 'pg';
import { WORKER_TEST_PEPPER } from './harness';

/** An endpoint inserted directly, its secret sealed the way the API seals it. */
export async function insertEndpoint(
  db: Client,
  fields: { workspaceId: string; appId: string; url: string },
): Promise<{ id: string; secret: string }> {
  const id = newId('webhookEndpoint');
  const secret = generateWebhookSecret();
  await db.query(
    `INSERT INTO webhook_endpoints (id, workspace_id, app_id, url, secret_sealed) VALUES ($1, $2, $3, $4, $5)`,
    [id, fields.workspaceId, fields.appId, fields.url, sealSecret(deriveSecretBoxKey(WORKER_TEST_PEPPER), secret, id)],
  );
  return { id, secret };
}

/** `count` outbox events of one app, as a producer's transaction would leave them. */
export async function insertEvents(
  db: Client,
  fields: { workspaceId: string; appId: string; type?: WebhookEventType; count?: number },
): Promise<string[]> {
  const ids = Array.from({ length: fields.count ?? 1 }, () => newId('webhookEvent'));
  await db.query(
    `INSERT INTO webhook_events (id, workspace_id, app_id, type, data)
     SELECT id, $2, $3, $4, jsonb_build_object('n', ord) FROM unnest($1::text[]) WITH ORDINALITY AS t(id, ord)`,
    [ids, fields.workspaceId, fields.appId, fields.type ?? 'key.created'],
  );
  return ids;
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 answering every request with one status. */
export class StatusReceiver {
  readonly received: Received[] = [];
  private server!: Server;
  url = '';

  constructor(private readonly status: number) {}

  protected answer(response: ServerResponse): void {
    response.writeHead(this.status).end();
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        this.answer(response);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/**
 * Holds its first request unanswered until `answerFirst(status)`, and answers the others
 * 200 at once: an attempt kept in flight for as long as a test needs.
 */
export class HoldingReceiver extends StatusReceiver {
  private first: ServerResponse | undefined;

  constructor() {
    super(200);
  }

  protected override answer(response: ServerResponse): void {
    if (this.received.length > 1) return super.answer(response);
    this.first = response;
  }

  answerFirst(status: number): void {
    this.first?.writeHead(status).end();
  }
}
