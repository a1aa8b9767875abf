import type { Admission, Rejection } from './decision';
import { KeywardenGate } from './gate';
import { attachIdentity } from './identity';
import type { KeywardenMiddlewareOptions } from './types';

/**
 * The web-standard gate: `await gate(request)` answers a refusal as a `Response`, or
 * `null` to let the request through, its identity then on `keywardenIdentity(request)`.
 */
export interface KeywardenFetchGate {
  /** `connection.ip`: the client IP the runtime reports (Bun's `server.requestIP`, Deno's `remoteAddr`...). */
  (request: Request, connection?: { ip?: string }): Promise<Response | null>;
  /**
   * The handler's response as the caller gets it: with the key's `X-RateLimit-*`
   * headers, and the concurrency slot released once its body has been sent or the
   * client went away. Without this call a slot is freed only by an aborted request or
   * the lease TTL.
   */
  complete(request: Request, response: Response): Response;
}

/** An admitted request: the headers its response owes, and how to free its slot (once). */
export interface WebAdmission {
  admission: Admission;
  release(): void;
}

function rejectionResponse(rejection: Rejection): Response {
  return new Response(JSON.stringify(rejection.body), {
    status: rejection.status,
    headers: { ...rejection.headers, 'Content-Type': 'application/json; charset=utf-8' },
  });
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}

/** `body`, calling `done` when it has been read to the end, failed or was cancelled. */
function observeEnd<Chunk>(body: ReadableStream<Chunk>, done: () => void): ReadableStream<Chunk> {
  const reader = body.getReader();
  return new ReadableStream<Chunk>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          controller.close();
          done();
        } else {
          controller.enqueue(chunk.value);
        }
      } catch (error) {
        controller.error(error);
        done();
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
}

/**
 * The gate for `Request`/`Response` frameworks: the key from the request's headers, a
 * refusal as a JSON `Response`; the fetch and Hono adapters only say where the request is.
 */
export class WebGate<Req> {
  readonly #gate: KeywardenGate<Req>;

  constructor(options: KeywardenMiddlewareOptions<Req>) {
    this.#gate = new KeywardenGate(options);
  }

  async check(request: Req, raw: Request, ip?: string): Promise<Response | WebAdmission> {
    const decision = await this.#gate.decide(request, {
      headers: {
        authorization: raw.headers.get('authorization') ?? undefined,
        'x-api-key': raw.headers.get('x-api-key') ?? undefined,
      },
      ip,
    });
    if (!decision.allow) return rejectionResponse(decision);
    const { leaseId } = decision;
    if (!leaseId) return { admission: decision, release: () => undefined };
    const release = once(() => this.#gate.releaseLease(leaseId));
    // The client went away before the answer (runtimes abort the request's signal then).
    if (raw.signal.aborted) release();
    else raw.signal.addEventListener('abort', release, { once: true });
    return { admission: decision, release };
  }

  complete({ admission, release }: WebAdmission, response: Response): Response {
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(admission.headers)) headers.set(name, value);
    let body = response.body;
    if (!admission.leaseId) {
      // nothing to release
    } else if (body) {
      body = observeEnd(body, release);
    } else {
      release();
    }
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  }
}

/**
 * Middleware for runtimes built on `fetch` (Bun, Deno, edge functions...). A `Request`
 * carries no client IP: pass the one the runtime reports with each call (or an `ip`
 * option) when keys may have an IP allowlist, or their verifies are refused.
 */
export function keywardenFetch(options: KeywardenMiddlewareOptions<Request>): KeywardenFetchGate {
  const gate = new WebGate(options);
  const admitted = new WeakMap<Request, WebAdmission>();

  const check = async (request: Request, connection: { ip?: string } = {}): Promise<Response | null> => {
    const outcome = await gate.check(request, request, connection.ip);
    if (outcome instanceof Response) return outcome;
    admitted.set(request, outcome);
    attachIdentity(request, outcome.admission.identity);
    return null;
  };

  const complete = (request: Request, response: Response): Response => {
    const admission = admitted.get(request);
    if (!admission) return response;
    admitted.delete(request);
    return gate.complete(admission, response);
  };

  return Object.assign(check, { complete });
}
