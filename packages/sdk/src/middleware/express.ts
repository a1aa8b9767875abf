import type { IncomingMessage, ServerResponse } from 'node:http';
import { KeywardenGate } from './gate';
import type { KeywardenMiddlewareOptions, KeywardenRequest } from './types';

/** What the middleware needs of Express's request (any Node request works: `ip` is optional). */
export interface ExpressLikeRequest extends IncomingMessage, KeywardenRequest {
  /** Express's client IP (honours `trust proxy`); the socket's address when absent. */
  ip?: string;
}

export type ExpressNext = (error?: unknown) => void;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}

/**
 * Express (or connect-style) middleware. Uses only Node's request/response API, so the
 * SDK does not load Express. Errors of option callbacks go to `next(error)`.
 */
export function keywardenExpress<Req extends ExpressLikeRequest = ExpressLikeRequest>(options: KeywardenMiddlewareOptions<Req>) {
  const gate = new KeywardenGate(options);
  return function keywardenMiddleware(request: Req, response: ServerResponse, next: ExpressNext): void {
    gate
      .decide(request, { headers: request.headers, ip: request.ip ?? request.socket.remoteAddress })
      .then((decision) => {
        for (const [name, value] of Object.entries(decision.headers)) response.setHeader(name, value);
        if (!decision.allow) return sendJson(response, decision.status, decision.body);
        request.keywarden = decision.identity;
        if (decision.leaseId) gate.holdLease(response, decision.leaseId);
        next();
      })
      .catch(next);
  };
}
