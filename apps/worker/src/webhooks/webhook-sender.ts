import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveTarget, type ResolvedTarget, TargetRefusedError } from './ssrf-guard';

/** First KiB of the answer is kept on the attempt. */
export const RESPONSE_EXCERPT_BYTES = 1024;

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SendOutcome {
  /** null when no HTTP answer came. */
  statusCode: number | null;
  latencyMs: number;
  responseBody: string | null;
  retryAfter: string | null;
  error: string | null;
}

export interface SenderOptions {
  /** The whole attempt, DNS resolution included. */
  timeoutMs: number;
  allowPrivateTargets: boolean;
  maxSockets: number;
  /** Host → checked address (the SSRF guard); replaceable for tests. */
  resolve?: (hostname: string, allowPrivate: boolean) => Promise<ResolvedTarget>;
}

const RESOLUTION_TIMED_OUT = Symbol('resolution timed out');

/** Makes the socket connect to the address already checked, whatever DNS says now. */
function pinnedLookup(target: ResolvedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (error: null, addresses: ResolvedTarget[]) => void)(null, [target]);
    } else {
      callback(null, target.address, target.family);
    }
  };
}

/**
 * The first KiB of the answer, read as it arrives: the attempt is answered once that much
 * (or the whole, shorter body) is in, so a receiver that streams a long or endless body
 * after its status still gets its status recorded. The rest is not read: the connection
 * is dropped, not reused.
 */
function readExcerpt(response: IncomingMessage, onExcerpt: (excerpt: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let read = false;
  // PostgreSQL text cannot hold NUL: a receiver's binary answer must not fail the attempt's record.
  const done = () => {
    if (read) return;
    read = true;
    onExcerpt(Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8').replace(/\u0000/g, ''));
  };
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size < RESPONSE_EXCERPT_BYTES) return;
    // Called before the connection is dropped, so that its close cannot be taken for a failed attempt.
    done();
    response.destroy();
  });
  response.on('end', done);
  response.on('error', done);
  response.on('aborted', done);
}

/**
 * POSTs one signed delivery: the host is resolved and checked first (SSRF guard), the
 * connection goes to the checked address, redirects are returned as they are (never
 * followed), and the exchange is bounded by the timeout: resolution, connection, the status
 * and the first KiB of the answer.
 */
export class WebhookSender {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(private readonly options: SenderOptions) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets };
    this.httpAgent = new HttpAgent(agentOptions);
    this.httpsAgent = new HttpsAgent(agentOptions);
  }

  async send(webhook: WebhookRequest): Promise<SendOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = new URL(webhook.url);
    let target: ResolvedTarget;
    // Resolution counts against the attempt's timeout: a slow resolver cannot hold a
    // delivery slot past it.
    let resolutionTimer: NodeJS.Timeout | undefined;
    try {
      const resolved = await Promise.race([
        (this.options.resolve ?? resolveTarget)(url.hostname, this.options.allowPrivateTargets),
        new Promise<typeof RESOLUTION_TIMED_OUT>((resolve) => {
          resolutionTimer = setTimeout(() => resolve(RESOLUTION_TIMED_OUT), this.options.timeoutMs);
        }),
      ]);
      if (resolved === RESOLUTION_TIMED_OUT) {
        const error = `no complete answer within ${this.options.timeoutMs} ms (the host did not resolve in time)`;
        return { statusCode: null, latencyMs: elapsed(), responseBody: null, retryAfter: null, error };
      }
      target = resolved;
    } catch (error) {
      const message = error instanceof TargetRefusedError ? error.message : 'could not resolve the host';
      return { statusCode: null, latencyMs: elapsed(), responseBody: null, retryAfter: null, error: message };
    } finally {
      clearTimeout(resolutionTimer);
    }
    const remainingMs = Math.max(1, this.options.timeoutMs - elapsed());
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: Omit<SendOutcome, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...outcome, latencyMs: elapsed() });
      };
      const secure = url.protocol === 'https:';
      const request = (secure ? httpsRequest : httpRequest)(
        {
          method: 'POST',
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || (secure ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          headers: { ...webhook.headers, 'content-length': Buffer.byteLength(webhook.body).toString() },
          agent: secure ? this.httpsAgent : this.httpAgent,
          lookup: pinnedLookup(target),
        },
        (response) => {
          readExcerpt(response, (excerpt) =>
            finish({
              statusCode: response.statusCode ?? null,
              responseBody: excerpt,
              retryAfter: (response.headers['retry-after'] as string | undefined) ?? null,
              error: null,
            }),
          );
        },
      );
      const timer = setTimeout(() => {
        request.destroy();
        finish({ statusCode: null, responseBody: null, retryAfter: null, error: `no complete answer within ${this.options.timeoutMs} ms` });
      }, remainingMs);
      request.on('error', (error: NodeJS.ErrnoException) => {
        finish({ statusCode: null, responseBody: null, retryAfter: null, error: `connection failed (${error.code ?? error.message})` });
      });
      request.end(webhook.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
