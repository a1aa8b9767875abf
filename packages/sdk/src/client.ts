import type {
  AccessLogEntry,
  AdminKey,
  AdminKeyCascade,
  AdminKeyRevocation,
  Alert,
  App,
  AppKey,
  AuditEntry,
  BulkKeysRequest,
  BulkKeysResponse,
  CreateAdminKeyRequest,
  CreateAppRequest,
  CreateKeyRequest,
  ListAdminKeysQuery,
  ListAlertsQuery,
  ListAppsQuery,
  ListAuditQuery,
  ListKeyRequestsQuery,
  ListKeysQuery,
  Me,
  Page,
  ReleaseLeaseResponse,
  ReportLeakRequest,
  ReportLeakResponse,
  ReportUsageResponse,
  RotateKeyRequest,
  UpdateAppRequest,
  UpdateKeyRequest,
  UsageQuery,
  UsageReportItem,
  UsageResponse,
  VerifyKeyRequest,
  VerifyKeyResponse,
  WithPropagation,
  WithSecret,
  CreateWebhookRequest,
  CreateCustomerRequest,
  CreatePortalSessionRequest,
  CreatePortalSessionResponse,
  Customer,
  ListCustomersQuery,
  UpdateCustomerRequest,
  ListDeliveriesQuery,
  ListWebhooksQuery,
  UpdateWebhookRequest,
  WebhookDelivery,
  WebhookEndpoint,
  WithWebhookSecret,
} from '@keywarden/core';
import { KeywardenError, parseRetryAfter, redact } from './errors';
import { paginate } from './paginate';

export interface KeywardenOptions {
  /** e.g. `https://keywarden.example.com`; a path prefix is kept. */
  baseUrl: string;
  /** Admin key (or app key, for `verifyKey` and `me`). */
  apiKey: string;
  /** Per attempt, including reading the body. Default 10 000. */
  timeoutMs?: number;
  /** Extra attempts for retry-safe calls only. Default 2. */
  retries?: number;
  /** For tests and custom agents; defaults to the global fetch of Node 20. */
  fetch?: typeof fetch;
}

export type VerifyKeyOptions = Omit<VerifyKeyRequest, 'key'>;

export interface BulkKeysOptions {
  /**
   * Sent as the `Idempotency-Key` header (1–255 printable ASCII characters): a retry with
   * the same key and request gets the first answer, and the client then retries it on a
   * network error or 5xx (except `rotate`, whose replayed answer carries no secrets).
   */
  idempotencyKey?: string;
}

export interface RevokeAdminKeyOptions {
  /** Offboarding: also revoke or disable every app key this admin key created. */
  cascade?: AdminKeyCascade['action'];
}

export interface AppsResource {
  create(body: CreateAppRequest): Promise<App>;
  list(query?: ListAppsQuery): Promise<Page<App>>;
  listAll(query?: ListAppsQuery): AsyncGenerator<App, void, undefined>;
  get(id: string): Promise<App>;
  update(id: string, body: UpdateAppRequest): Promise<App>;
  /** Also revokes every key of the app. */
  delete(id: string): Promise<void>;
}

export interface AdminKeysResource {
  /** The answer's `secret` is shown this once and cannot be fetched again. */
  create(body: CreateAdminKeyRequest): Promise<AdminKey & WithSecret>;
  list(query?: ListAdminKeysQuery): Promise<Page<AdminKey>>;
  listAll(query?: ListAdminKeysQuery): AsyncGenerator<AdminKey, void, undefined>;
  /**
   * Immediately and for good. With `cascade`, also revokes (or disables, which needs
   * keys.write too) every app key it created; the answer's `cascade` tells how many.
   */
  revoke(id: string, options?: RevokeAdminKeyOptions): Promise<AdminKeyRevocation>;
}

export interface KeysResource {
  /** The answer's `secret` is shown this once and cannot be fetched again. */
  create(body: CreateKeyRequest): Promise<AppKey & WithSecret>;
  list(query?: ListKeysQuery): Promise<Page<AppKey>>;
  listAll(query?: ListKeysQuery): AsyncGenerator<AppKey, void, undefined>;
  get(id: string): Promise<AppKey>;
  update(id: string, body: UpdateKeyRequest): Promise<AppKey>;
  /** The old secret keeps working for the grace period (default one day). */
  rotate(id: string, body?: RotateKeyRequest): Promise<AppKey & WithSecret>;
  /**
   * Answers once every API instance confirmed it refuses the key: `propagation.confirmed`
   * (see the `Propagation` type for what false means).
   */
  revoke(id: string): Promise<AppKey & WithPropagation>;
  disable(id: string): Promise<AppKey & WithPropagation>;
  enable(id: string): Promise<AppKey & WithPropagation>;
  verify(body: VerifyKeyRequest): Promise<VerifyKeyResponse>;
  /**
   * Frees the concurrency slot a verify answer's `leaseId` holds (its TTL frees it
   * otherwise). Safe to repeat: a lease already released or expired answers `released: false`.
   */
  releaseLease(leaseId: string): Promise<ReleaseLeaseResponse>;
  /** The key's access log, newest first. */
  requests(id: string, query?: ListKeyRequestsQuery): Promise<Page<AccessLogEntry>>;
  requestsAll(id: string, query?: ListKeyRequestsQuery): AsyncGenerator<AccessLogEntry, void, undefined>;
  /**
   * One action on every key the filter matches (`dryRun` counts and lists them first).
   * `rotate` answers the new secrets once, as `secrets: {keyId: secret}`.
   */
  bulk(body: BulkKeysRequest, options?: BulkKeysOptions): Promise<BulkKeysResponse>;
}

export interface LeaksResource {
  /**
   * A leaked key, by the key itself or its id: the app's leak response is applied and a
   * `leak` alert opened (or joined, within 24 h). Not retried: a repeat adds a report.
   */
  report(body: ReportLeakRequest): Promise<ReportLeakResponse>;
}

export interface UsageResource {
  /**
   * Usage known after the fact (1–1000 items). Safe to retry: a replayed requestId is
   * counted once, as first reported (in the rollups and the daily spend cap alike). Each item's `timestamp` is at most the access log's retention (30 days
   * by default) in the past and 5 minutes in the future; an item outside that refuses the
   * whole report (400 VALIDATION_FAILED naming `events.<i>.timestamp`).
   */
  report(items: UsageReportItem[]): Promise<ReportUsageResponse>;
  /** Totals and series of an app, a key or a customer (one of appId / keyId / customerId). */
  query(query: UsageQuery): Promise<UsageResponse>;
}

export interface AuditResource {
  list(query?: ListAuditQuery): Promise<Page<AuditEntry>>;
  listAll(query?: ListAuditQuery): AsyncGenerator<AuditEntry, void, undefined>;
}

export interface WebhooksResource {
  /** The answer's `secret` (whsec_…) is shown this once and cannot be fetched again. */
  create(body: CreateWebhookRequest): Promise<WebhookEndpoint & WithWebhookSecret>;
  list(query?: ListWebhooksQuery): Promise<Page<WebhookEndpoint>>;
  listAll(query?: ListWebhooksQuery): AsyncGenerator<WebhookEndpoint, void, undefined>;
  get(id: string): Promise<WebhookEndpoint>;
  update(id: string, body: UpdateWebhookRequest): Promise<WebhookEndpoint>;
  delete(id: string): Promise<void>;
  /** New secret, shown once; deliveries carry signatures of both secrets for 24 hours. */
  rotateSecret(id: string): Promise<WebhookEndpoint & WithWebhookSecret>;
  /** Sends a `webhook.test` event to this endpoint only. */
  test(id: string): Promise<WebhookDelivery>;
  /** Newest first, each with its attempts. */
  deliveries(id: string, query?: ListDeliveriesQuery): Promise<Page<WebhookDelivery>>;
  deliveriesAll(id: string, query?: ListDeliveriesQuery): AsyncGenerator<WebhookDelivery, void, undefined>;
  redeliver(id: string, deliveryId: string): Promise<WebhookDelivery>;
}

/** Customers are addressed by their `cus_…` id or by the platform's externalId. */
export interface CustomersResource {
  create(body: CreateCustomerRequest): Promise<Customer>;
  list(query?: ListCustomersQuery): Promise<Page<Customer>>;
  listAll(query?: ListCustomersQuery): AsyncGenerator<Customer, void, undefined>;
  get(idOrExternalId: string): Promise<Customer>;
  update(idOrExternalId: string, body: UpdateCustomerRequest): Promise<Customer>;
  /** Only a customer without live keys can be deleted. */
  delete(idOrExternalId: string): Promise<void>;
  /** Every key of the customer answers KEY_DISABLED until resumed. Idempotent. */
  suspend(idOrExternalId: string): Promise<Customer & WithPropagation>;
  resume(idOrExternalId: string): Promise<Customer & WithPropagation>;
}

export interface PortalResource {
  /** A single-use link (valid 5 minutes) that opens a portal session for one customer. */
  createSession(body: CreatePortalSessionRequest): Promise<CreatePortalSessionResponse>;
}

export interface AlertsResource {
  /** Newest first; filter by app, key, type, status, first detection time. */
  list(query?: ListAlertsQuery): Promise<Page<Alert>>;
  listAll(query?: ListAlertsQuery): AsyncGenerator<Alert, void, undefined>;
  get(id: string): Promise<Alert>;
  /** Idempotent; fails with CONFLICT once the alert is resolved. */
  acknowledge(id: string): Promise<Alert>;
  /** Idempotent: the first call sends `alert.resolved`, a recurrence opens a new alert. */
  resolve(id: string): Promise<Alert>;
  /** Ends the containment the alert put on its key; the alert stays open. Idempotent. */
  lift(id: string): Promise<Alert>;
}

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * When a failed call is tried again. `safe`: after any transient failure, since a repeat
 * changes nothing more. `unsent`: only when Keywarden surely did not act on it (no
 * connection was ever made, or Keywarden itself answered 503): a verify whose answer was
 * lost may have been admitted, metered and given a lease, and a second one would count,
 * spend and hold them twice. `never`: calls that change something.
 */
type RetryPolicy = 'safe' | 'unsent' | 'never';

interface RequestOptions {
  query?: object;
  body?: unknown;
  headers?: Record<string, string>;
  /** Overrides the method's default (`safe` for a GET, else `never`). */
  retry?: RetryPolicy;
  /** Request values that must never surface in an error, besides the api key. */
  secrets?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRIES = 2;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 4_000;
/**
 * The longest `Retry-After` the client waits out on its own. A longer one (Keywarden asks
 * 5 s while its database is unreachable) is handed to the caller at once, as
 * `error.retryAfter`: holding a call, or a request behind the verify middleware, that
 * long would be worse than failing it.
 */
const MAX_RETRY_AFTER_MS = BACKOFF_MAX_MS;

/**
 * Ids go through encodeURIComponent, but `.` and `..` would still be resolved as dot
 * segments by the URL parser and send the request to another route.
 */
function segment(id: string): string {
  if (typeof id !== 'string' || id === '' || id === '.' || id === '..') {
    throw new TypeError('Keywarden id must be a non-empty string');
  }
  return encodeURIComponent(id);
}

/** Equal jitter: never immediate, yet spread so that many clients do not retry in step. */
function backoffDelay(attempt: number): number {
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return cap / 2 + Math.random() * (cap / 2);
}

/** How long to wait before the next attempt: never sooner than the server's `Retry-After`. */
function retryDelay(error: KeywardenError, attempt: number): number {
  return Math.max(backoffDelay(attempt), (error.retryAfter ?? 0) * 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const NOT_JSON = Symbol('not json');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** Network failures that happen before a request is sent: nothing reached Keywarden. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Errors of calls that never reached Keywarden (kept apart from the public error type). */
const neverSent = new WeakSet<KeywardenError>();

function mayRetry(error: unknown, retry: RetryPolicy): boolean {
  if (!(error instanceof KeywardenError) || retry === 'never') return false;
  if (retry === 'unsent') return neverSent.has(error) || error.code === 'SERVICE_UNAVAILABLE';
  return error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT' || error.status >= 500;
}

/** undici says only "fetch failed"; what happened (ECONNREFUSED...) is its cause's code. */
function networkCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function describeNetworkFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = networkCode(error);
  return code === undefined ? error.message : `${error.message} (${code})`;
}

/** Every key Keywarden issues is printable ASCII without spaces. */
const PRINTABLE_KEY = /^[\x21-\x7e]+$/;

export class Keywarden {
  // Private fields stay out of JSON.stringify and console.log of the client.
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #retries: number;

  constructor(options: KeywardenOptions) {
    if (typeof options?.apiKey !== 'string' || options.apiKey === '') {
      throw new TypeError('Keywarden: apiKey is required');
    }
    // A key read from a file or an environment variable often keeps its line break: sent in
    // a header it fails every request as a network error, so it is refused here, by name only.
    if (!PRINTABLE_KEY.test(options.apiKey)) {
      throw new TypeError('Keywarden: apiKey holds a space, line break or other character no key has (check for a trailing newline)');
    }
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new TypeError('Keywarden: baseUrl must be an absolute http(s) URL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError('Keywarden: baseUrl must be an absolute http(s) URL');
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError('Keywarden: timeoutMs must be > 0');
    const retries = options.retries ?? DEFAULT_RETRIES;
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError('Keywarden: retries must be an integer >= 0');
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new TypeError('Keywarden: no fetch available; pass options.fetch');

    this.#apiKey = options.apiKey;
    // Bound so a browser-style fetch does not throw "Illegal invocation" when called as a method.
    this.#fetch = options.fetch ?? fetchImpl.bind(globalThis);
    this.#baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
    this.#timeoutMs = timeoutMs;
    this.#retries = retries;
  }

  readonly apps: AppsResource = {
    create: (body) => this.request('POST', '/v1/apps', { body }),
    list: (query) => this.request('GET', '/v1/apps', { query }),
    listAll: (query = {}) => paginate((q) => this.apps.list(q), query),
    get: async (id) => this.request('GET', `/v1/apps/${segment(id)}`),
    update: async (id, body) => this.request('PATCH', `/v1/apps/${segment(id)}`, { body }),
    delete: async (id) => {
      await this.request<void>('DELETE', `/v1/apps/${segment(id)}`);
    },
  };

  readonly adminKeys: AdminKeysResource = {
    create: (body) => this.request('POST', '/v1/admin-keys', { body }),
    list: (query) => this.request('GET', '/v1/admin-keys', { query }),
    listAll: (query = {}) => paginate((q) => this.adminKeys.list(q), query),
    revoke: async (id, options = {}) =>
      this.request('DELETE', `/v1/admin-keys/${segment(id)}`, { query: { cascade: options.cascade } }),
  };

  readonly keys: KeysResource = {
    create: (body) => this.request('POST', '/v1/keys', { body }),
    list: (query) => this.request('GET', '/v1/keys', { query }),
    listAll: (query = {}) => paginate((q) => this.keys.list(q), query),
    get: async (id) => this.request('GET', `/v1/keys/${segment(id)}`),
    update: async (id, body) => this.request('PATCH', `/v1/keys/${segment(id)}`, { body }),
    // Always a JSON object: the server validates the body even when every field is optional.
    rotate: async (id, body = {}) => this.request('POST', `/v1/keys/${segment(id)}/rotate`, { body }),
    revoke: async (id) => this.request('POST', `/v1/keys/${segment(id)}/revoke`),
    disable: async (id) => this.request('POST', `/v1/keys/${segment(id)}/disable`),
    enable: async (id) => this.request('POST', `/v1/keys/${segment(id)}/enable`),
    verify: async (body) =>
      this.request('POST', '/v1/keys/verify', { body, retry: 'unsent', secrets: [body.key] }),
    releaseLease: async (leaseId) =>
      this.request('POST', `/v1/keys/leases/${segment(leaseId)}/release`, { retry: 'safe' }),
    requests: async (id, query) => this.request('GET', `/v1/keys/${segment(id)}/requests`, { query }),
    requestsAll: (id, query = {}) => paginate((q) => this.keys.requests(id, q), query),
    // A dry run changes nothing; with an idempotency key a repeat gets the first answer,
    // but a rotation's replayed answer has no secrets, so a rotation is not repeated.
    bulk: async (body, options = {}) =>
      this.request('POST', '/v1/keys/bulk', {
        body,
        headers: options.idempotencyKey === undefined ? undefined : { 'Idempotency-Key': options.idempotencyKey },
        retry: body.dryRun === true || (options.idempotencyKey !== undefined && body.action !== 'rotate') ? 'safe' : 'never',
      }),
  };

  readonly leaks: LeaksResource = {
    report: async (body) =>
      this.request('POST', '/v1/leaks', { body, secrets: typeof body.key === 'string' ? [body.key] : [] }),
  };

  readonly usage: UsageResource = {
    report: (items) => this.request('POST', '/v1/usage', { body: { events: items }, retry: 'safe' }),
    query: (query) => this.request('GET', '/v1/usage', { query }),
  };

  readonly audit: AuditResource = {
    list: (query) => this.request('GET', '/v1/audit', { query }),
    listAll: (query = {}) => paginate((q) => this.audit.list(q), query),
  };

  readonly webhooks: WebhooksResource = {
    create: (body) => this.request('POST', '/v1/webhooks', { body }),
    list: (query) => this.request('GET', '/v1/webhooks', { query }),
    listAll: (query = {}) => paginate((q) => this.webhooks.list(q), query),
    get: async (id) => this.request('GET', `/v1/webhooks/${segment(id)}`),
    update: async (id, body) => this.request('PATCH', `/v1/webhooks/${segment(id)}`, { body }),
    delete: async (id) => {
      await this.request<void>('DELETE', `/v1/webhooks/${segment(id)}`);
    },
    rotateSecret: async (id) => this.request('POST', `/v1/webhooks/${segment(id)}/rotate-secret`),
    test: async (id) => this.request('POST', `/v1/webhooks/${segment(id)}/test`),
    deliveries: async (id, query) => this.request('GET', `/v1/webhooks/${segment(id)}/deliveries`, { query }),
    deliveriesAll: (id, query = {}) => paginate((q) => this.webhooks.deliveries(id, q), query),
    redeliver: async (id, deliveryId) =>
      this.request('POST', `/v1/webhooks/${segment(id)}/deliveries/${segment(deliveryId)}/redeliver`),
  };

  readonly alerts: AlertsResource = {
    list: (query) => this.request('GET', '/v1/alerts', { query }),
    listAll: (query = {}) => paginate((q) => this.alerts.list(q), query),
    get: async (id) => this.request('GET', `/v1/alerts/${segment(id)}`),
    // All three are idempotent on the server, so safe to retry.
    acknowledge: async (id) => this.request('POST', `/v1/alerts/${segment(id)}/acknowledge`, { retry: 'safe' }),
    resolve: async (id) => this.request('POST', `/v1/alerts/${segment(id)}/resolve`, { retry: 'safe' }),
    lift: async (id) => this.request('POST', `/v1/alerts/${segment(id)}/lift`, { retry: 'safe' }),
  };

  readonly customers: CustomersResource = {
    create: (body) => this.request('POST', '/v1/customers', { body }),
    list: (query) => this.request('GET', '/v1/customers', { query }),
    listAll: (query = {}) => paginate((q) => this.customers.list(q), query),
    get: async (id) => this.request('GET', `/v1/customers/${segment(id)}`),
    update: async (id, body) => this.request('PATCH', `/v1/customers/${segment(id)}`, { body }),
    delete: async (id) => {
      await this.request<void>('DELETE', `/v1/customers/${segment(id)}`);
    },
    // Both are idempotent on the server, so safe to retry.
    suspend: async (id) => this.request('POST', `/v1/customers/${segment(id)}/suspend`, { retry: 'safe' }),
    resume: async (id) => this.request('POST', `/v1/customers/${segment(id)}/resume`, { retry: 'safe' }),
  };

  readonly portal: PortalResource = {
    createSession: (body) => this.request('POST', '/v1/portal/sessions', { body }),
  };

  me(): Promise<Me> {
    return this.request('GET', '/v1/me');
  }

  /**
   * Resolves `{ valid: false, code }` for a bad key: only a failure of the call itself
   * (our own api key rejected, network, 5xx) throws.
   */
  verifyKey(key: string, options: VerifyKeyOptions = {}): Promise<VerifyKeyResponse> {
    return this.keys.verify({ ...options, key });
  }

  private buildUrl(path: string, query?: object): string {
    const params = Object.entries(query ?? {})
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
    return `${this.#baseUrl}${path}${params.length ? `?${params.join('&')}` : ''}`;
  }

  /**
   * Retries only what cannot do harm twice: a POST that creates or rotates may have
   * succeeded before the connection dropped, and repeating it would mint a second secret.
   */
  private async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.buildUrl(path, options.query);
    const headers: Record<string, string> = {
      ...options.headers,
      Authorization: `Bearer ${this.#apiKey}`,
      Accept: 'application/json',
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
    // A DELETE whose answer was lost would find nothing on a retry and report 404 for a
    // delete that happened; like a revoke, it is not repeated.
    const retry = options.retry ?? (method === 'GET' ? 'safe' : 'never');
    const secrets = [this.#apiKey, ...(options.secrets ?? [])];

    for (let attempt = 0; ; attempt++) {
      let delay: number;
      try {
        return await this.attempt<T>({ method, path, url, headers, body, secrets });
      } catch (error) {
        if (attempt >= this.#retries || !mayRetry(error, retry)) throw error;
        delay = retryDelay(error as KeywardenError, attempt);
        if (delay > MAX_RETRY_AFTER_MS) throw error;
      }
      await sleep(delay);
    }
  }

  private async attempt<T>(call: {
    method: HttpMethod;
    path: string;
    url: string;
    headers: Record<string, string>;
    body: string | undefined;
    secrets: readonly string[];
  }): Promise<T> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    try {
      let response: Response;
      let text: string;
      try {
        response = await this.#fetch(call.url, {
          method: call.method,
          headers: call.headers,
          body: call.body,
          signal: controller.signal,
        });
        text = await response.text();
      } catch (cause) {
        if (timedOut) {
          throw new KeywardenError({
            code: 'TIMEOUT',
            status: 0,
            message: `Keywarden did not answer ${call.method} ${call.path} within ${this.#timeoutMs} ms`,
          });
        }
        const failure = new KeywardenError({
          code: 'NETWORK_ERROR',
          status: 0,
          message: redact(`Could not reach Keywarden for ${call.method} ${call.path}: ${describeNetworkFailure(cause)}`, call.secrets),
        });
        if (NOT_CONNECTED.has(networkCode(cause) ?? '')) neverSent.add(failure);
        throw failure;
      }

      const parsed = text === '' ? undefined : parseJson(text);
      if (!response.ok) {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
        throw KeywardenError.fromResponse(response.status, parsed === NOT_JSON ? undefined : parsed, call.secrets, retryAfter);
      }
      if (parsed === NOT_JSON) {
        throw new KeywardenError({
          code: 'INTERNAL_ERROR',
          status: response.status,
          message: `Keywarden answered HTTP ${response.status} with a body that is not JSON`,
        });
      }
      return parsed as T;
    } finally {
      clearTimeout(timer);
    }
  }
}
