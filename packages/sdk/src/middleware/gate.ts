import type { IncomingHttpHeaders } from 'node:http';
import { API_KEY_REQUIRED_MESSAGE, newId, VERIFY_KEY_REQUEST_SCHEMA } from '@keywarden/core';
import { KeywardenError } from '../errors';
import { decideFromAnswer, type GateDecision, reject } from './decision';
import { keyFromHeaders } from './extract-key';
import type { KeywardenMiddlewareOptions, RequestValue } from './types';

/** What every framework offers: the raw headers and the client IP it determined. */
export interface IncomingView {
  headers: IncomingHttpHeaders;
  ip?: string;
}

/** The parts of Node's `ServerResponse` that tell when a response is over. */
export interface ResponseLifecycle {
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
  once(event: 'finish' | 'close', listener: () => void): unknown;
  off(event: 'finish' | 'close', listener: () => void): unknown;
}

// Longer keys cannot exist, and Keywarden would refuse the body as malformed.
const MAX_KEY_LENGTH = VERIFY_KEY_REQUEST_SCHEMA.properties.key.maxLength;
const UNAVAILABLE_MESSAGE = 'API key verification is unavailable';

/** No answer arrived: the only failures `failOpen` may wave through. */
function isUnreachable(error: KeywardenError): boolean {
  return error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT' || error.status >= 500;
}

function read<Req, T>(value: RequestValue<Req, T> | undefined, request: Req): Promise<T | undefined> {
  return Promise.resolve(value?.(request));
}

/**
 * The framework-agnostic middleware: one request in, one decision out (pass with an
 * identity, or refuse with status, headers and envelope). The adapters only translate.
 */
export class KeywardenGate<Req> {
  readonly #options: KeywardenMiddlewareOptions<Req>;

  constructor(options: KeywardenMiddlewareOptions<Req>) {
    if (typeof options?.client?.verifyKey !== 'function') {
      throw new TypeError('Keywarden middleware: options.client must be a Keywarden client');
    }
    if (options.scope !== undefined && typeof options.scope !== 'function' && (typeof options.scope !== 'string' || options.scope === '')) {
      throw new TypeError('Keywarden middleware: options.scope must be a non-empty string or a function');
    }
    this.#options = options;
  }

  async decide(request: Req, incoming: IncomingView): Promise<GateDecision> {
    const options = this.#options;
    const requestId = (await read(options.requestId, request)) ?? newId('request');
    const key = options.key ? await options.key(request) : keyFromHeaders(incoming.headers);
    if (!key) return reject('UNAUTHORIZED', requestId, { message: API_KEY_REQUIRED_MESSAGE });
    if (key.length > MAX_KEY_LENGTH) return reject('UNAUTHORIZED', requestId);

    const [scope, model, units, cost, ip] = await Promise.all([
      typeof options.scope === 'string' ? options.scope : read(options.scope, request),
      read(options.model, request),
      read(options.units, request),
      read(options.cost, request),
      options.ip ? read(options.ip, request) : incoming.ip,
    ]);
    try {
      const answer = await options.client.verifyKey(key, { scope, model, units, cost, ip, requestId });
      return decideFromAnswer(answer, { requestId, scope, nowMs: Date.now() });
    } catch (error) {
      if (!(error instanceof KeywardenError)) throw error;
      return this.#failed(error, requestId);
    }
  }

  /**
   * Releases the decision's concurrency lease once the response has been sent, or the
   * connection dropped, whichever comes first (also if that already happened).
   */
  holdLease(response: ResponseLifecycle, leaseId: string): void {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      response.off('finish', release);
      response.off('close', release);
      this.releaseLease(leaseId);
    };
    if (response.writableFinished || response.destroyed) {
      release();
      return;
    }
    response.once('finish', release);
    response.once('close', release);
  }

  /** Frees a concurrency slot now. Not awaited by anyone: a lease that cannot be released is freed by its TTL. */
  releaseLease(leaseId: string): void {
    this.#options.client.keys.releaseLease(leaseId).catch((error: unknown) => this.#options.onError?.(error));
  }

  #failed(error: KeywardenError, requestId: string): GateDecision {
    this.#options.onError?.(error);
    // Keywarden refused a value taken from the request (a model name too long...).
    if (error.code === 'VALIDATION_FAILED') {
      return reject('VALIDATION_FAILED', requestId, { message: error.message, details: error.details });
    }
    if (this.#options.failOpen && isUnreachable(error)) return { allow: true, identity: null, headers: {} };
    // Keywarden's own estimate of when it is back (its database outage answer) is passed on to the caller.
    const headers = error.retryAfter === null ? undefined : { 'Retry-After': String(error.retryAfter) };
    return reject('SERVICE_UNAVAILABLE', requestId, { message: UNAVAILABLE_MESSAGE, headers });
  }
}
