import type { Me } from './me';

/** `POST /v1/console/sessions`: the admin key travels once, in the body, never in a URL. */
export interface CreateConsoleSessionRequest {
  key: string;
}

/** A browser session: the cookie carries it, `csrfToken` goes in `X-CSRF-Token` on every change. */
export interface ConsoleSession {
  csrfToken: string;
  /** The absolute end of the session (ISO 8601); inactivity ends it earlier. */
  expiresAt: string;
  /** Seconds without a request after which the session ends. */
  idleTimeoutSeconds: number;
  /** The admin key behind the session (never its secret). */
  actor: Me;
}

/** Header that carries a session's CSRF token on state-changing cookie requests. */
export const CSRF_HEADER = 'x-csrf-token';
