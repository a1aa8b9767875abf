import { Keywarden, KeywardenError, type KeywardenErrorCode } from '@keywarden/sdk';
import type { FieldError } from '@keywarden/core';
import { registerSecretsIn } from './secrets';

/**
 * fetch that registers every key-shaped string of every response body as an issued
 * secret: create, rotate and admin-key answers are the only places secrets appear, so
 * none can be forgotten by the leak scan.
 */
export const trackedFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  registerSecretsIn(await response.clone().text());
  return response;
};

/** The SDK as a customer would use it; no retries, so every call is exactly one request. */
export function client(baseUrl: string, apiKey: string): Keywarden {
  return new Keywarden({ baseUrl, apiKey, fetch: trackedFetch, retries: 0 });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface RawRequest {
  method?: string;
  /** Sent as `Authorization: Bearer`. */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Sent verbatim; content-type defaults to application/json when a body is given. */
  body?: string;
}

/** Plain HTTP, for what the SDK would never send. */
export async function rawRequest(baseUrl: string, path: string, request: RawRequest = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...(request.headers ?? {}) };
  if (request.apiKey !== undefined) headers.authorization = `Bearer ${request.apiKey}`;
  if (request.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  const response = await trackedFetch(`${baseUrl}${path}`, {
    method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
    headers,
    body: request.body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export interface ExpectedError {
  status: number;
  code: KeywardenErrorCode;
  /** Exact message, or a pattern it must match. */
  message?: string | RegExp;
}

const REQUEST_ID = /^req_[0-9a-z]{26}$/;

/**
 * The error envelope and nothing else: {error: {code, message, requestId[, details]}},
 * requestId equal to the x-request-id header, details a non-empty field list for
 * VALIDATION_FAILED, and no sign of a stack trace.
 */
export function expectErrorEnvelope(response: RawResponse, expected: ExpectedError): void {
  const summary = `${response.status} ${response.text.slice(0, 500)}`;
  expect({ status: response.status, summary }).toEqual({ status: expected.status, summary });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = response.json as { error: Record<string, unknown> };
  expect(body).toEqual({ error: expect.any(Object) });
  const error = body.error;
  const allowed = ['code', 'message', 'requestId', 'details'];
  expect(Object.keys(error).filter((key) => !allowed.includes(key))).toEqual([]);
  expect(error.code).toBe(expected.code);
  expect(typeof error.message).toBe('string');
  expect((error.message as string).length).toBeGreaterThan(0);
  if (typeof expected.message === 'string') expect(error.message).toBe(expected.message);
  else if (expected.message) expect(error.message).toMatch(expected.message);
  expect(error.requestId).toMatch(REQUEST_ID);
  expect(response.headers.get('x-request-id')).toBe(error.requestId);
  if (expected.code === 'VALIDATION_FAILED') {
    expect(Array.isArray(error.details)).toBe(true);
    const details = error.details as unknown[];
    expect(details.length).toBeGreaterThan(0);
    for (const detail of details) {
      expect(detail).toEqual({ field: expect.any(String), message: expect.any(String) });
    }
  } else if (error.details !== undefined) {
    expect(Array.isArray(error.details)).toBe(true);
  }
  expect(response.text).not.toMatch(/\bat .+\(.+:\d+:\d+\)|"stack"|node_modules|\/dist\//);
}

/** The field names a VALIDATION_FAILED answer blames. */
/** The field errors of an error envelope (none when it has no details). */
export function errorDetails(response: RawResponse): FieldError[] {
  return (response.json as { error?: { details?: FieldError[] } })?.error?.details ?? [];
}

export function detailFields(response: RawResponse): string[] {
  return errorDetails(response).map((detail) => detail.field);
}

/** A counter or gauge of a process's `/metrics`, summed over all its label sets (0 when absent). */
export async function metricTotal(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm');
  let total = 0;
  for (const match of text.matchAll(line)) total += Number(match[1]);
  return total;
}

/** Awaits an SDK call that must fail, and checks the KeywardenError it fails with. */
export async function expectApiError(call: Promise<unknown>, expected: ExpectedError): Promise<KeywardenError> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    expect(error).toBeInstanceOf(KeywardenError);
    const failure = error as KeywardenError;
    expect({ status: failure.status, code: failure.code, message: failure.message }).toEqual({
      status: expected.status,
      code: expected.code,
      message: typeof expected.message === 'string' ? expected.message : expect.stringMatching(expected.message ?? /./),
    });
    expect(failure.requestId).toMatch(REQUEST_ID);
    return failure;
  }
  throw new Error(`expected ${expected.status} ${expected.code}, but the call succeeded with ${JSON.stringify(outcome)}`);
}

/**
 * Retries `check` (assertions included) until it passes or `timeoutMs` is up, then
 * rethrows its last failure: for state that converges (flushes, pub/sub, clocks).
 */
export async function eventually<T>(check: () => Promise<T>, options: { timeoutMs: number; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
