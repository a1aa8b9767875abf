import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@keywarden/platform';
import { ApiError } from '../common/api-error';
import { API_CONFIG, type ApiConfig } from '../config/api-config';

/** Who a session acts for: an admin key for the console, a customer for the portal. */
export interface SessionSubject {
  /** e.g. `admin_key`, `customer`: says how to turn the session into a principal. */
  type: string;
  id: string;
  workspaceId: string;
}

export interface Session {
  subject: SessionSubject;
  /** What the kind of session needs besides its subject (e.g. a portal's app and permissions). */
  attributes: Record<string, unknown>;
  csrfToken: string;
  createdAt: number;
  /** Absolute end, epoch ms. */
  expiresAt: number;
  idleSeconds: number;
}

export interface SessionLimits {
  idleSeconds?: number;
  absoluteSeconds?: number;
}

const SESSION_PREFIX = 'kw:session:';
const SUBJECT_PREFIX = 'kw:sessions-of:';

/** Redis never sees the cookie's value, only its hash: a dump of Redis opens no session. */
function storageKey(token: string): string {
  return SESSION_PREFIX + createHash('sha256').update(token).digest('hex');
}

function subjectKey(subject: Pick<SessionSubject, 'type' | 'id'>): string {
  return `${SUBJECT_PREFIX}${subject.type}:${subject.id}`;
}

/**
 * Server-side browser sessions in Redis. Each request that uses one pushes its idle
 * deadline forward, never past its absolute end; every session of a subject can be ended
 * at once (a revoked admin key, a suspended customer).
 */
@Injectable()
export class SessionStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async create(subject: SessionSubject, attributes: Record<string, unknown> = {}, limits: SessionLimits = {}, now = Date.now()): Promise<{ token: string; session: Session }> {
    const absoluteSeconds = limits.absoluteSeconds ?? this.config.sessions.absoluteSeconds;
    const idleSeconds = Math.min(limits.idleSeconds ?? this.config.sessions.idleSeconds, absoluteSeconds);
    const token = randomBytes(32).toString('base64url');
    const session: Session = {
      subject,
      attributes,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      expiresAt: now + absoluteSeconds * 1000,
      idleSeconds,
    };
    const key = storageKey(token);
    await reachingStore(this.redis, async () => {
      await this.redis
        .multi()
        .set(key, JSON.stringify(session), 'PX', idleSeconds * 1000)
        .sadd(subjectKey(subject), key)
        .pexpire(subjectKey(subject), absoluteSeconds * 1000, 'GT')
        .exec()
        .then(failOnError);
      // PEXPIRE ... GT does not apply to a set that has no TTL yet (just created).
      await this.redis.pexpire(subjectKey(subject), absoluteSeconds * 1000, 'NX');
    });
    return { token, session };
  }

  /** The live session behind a cookie value, its idle deadline pushed forward; null once ended. */
  resume(token: string, now = Date.now()): Promise<Session | null> {
    const key = storageKey(token);
    return reachingStore(this.redis, async () => {
      const stored = await this.redis.get(key);
      if (stored === null) return null;
      const session = JSON.parse(stored) as Session;
      const remainingMs = session.expiresAt - now;
      if (remainingMs <= 0) {
        await this.redis.del(key);
        return null;
      }
      await this.redis.pexpire(key, Math.min(session.idleSeconds * 1000, remainingMs));
      return session;
    });
  }

  end(token: string, subject: SessionSubject): Promise<void> {
    const key = storageKey(token);
    return reachingStore(this.redis, async () => {
      await this.redis.multi().del(key).srem(subjectKey(subject), key).exec().then(failOnError);
    });
  }

  /** Ends every session of the subject at once. */
  endAllOf(subject: Pick<SessionSubject, 'type' | 'id'>): Promise<void> {
    const index = subjectKey(subject);
    return reachingStore(this.redis, async () => {
      const keys = await this.redis.smembers(index);
      await this.redis.del(index, ...keys);
    });
  }

  /**
   * Ends every session of a subject that may no longer act (a revoked admin key), once its
   * change has committed. While the store is out of reach this does nothing: each request
   * re-reads the subject's state, so its sessions are refused all the same.
   */
  async endAllOfWithdrawn(subject: Pick<SessionSubject, 'type' | 'id'>): Promise<void> {
    await this.endAllOf(subject).catch((error: unknown) => {
      if (!(error instanceof ApiError && error.code === 'SERVICE_UNAVAILABLE')) throw error;
    });
  }
}

/**
 * Sessions live in Redis alone: while it cannot be reached nobody can sign in, sign out or
 * use a session, and the answer says so (503, retry), not as a fault of the server. An
 * error while the connection is up (a command Redis refused) is a fault, and stays one.
 */
async function reachingStore<T>(redis: Redis, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (redis.status === 'ready') throw error;
    throw new ApiError('SERVICE_UNAVAILABLE', 'Sessions are unavailable: the service cannot reach its session store; retry shortly');
  }
}

function failOnError(results: Array<[Error | null, unknown]> | null): void {
  const failed = results?.find(([error]) => error !== null);
  if (failed) throw failed[0];
}
