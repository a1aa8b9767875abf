import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS } from '@keywarden/platform';
import type Redis from 'ioredis';
import { ApiError } from '../common/api-error';
import { API_CONFIG, type ApiConfig } from '../config/api-config';

const FETCH_TIMEOUT_MS = 5_000;
/** A signed body seen once is refused for this long. */
const REPLAY_WINDOW_SECONDS = 7 * 86_400;
const SEEN_PREFIX = 'keywarden:github-scanning:seen:';
const MAX_HEADER_LENGTH = 1_024;

interface PublishedKeys {
  public_keys?: Array<{ key_identifier?: unknown; key?: unknown }>;
}

export interface SignedRequest {
  keyIdentifier: string | undefined;
  signature: string | undefined;
  body: Buffer;
}

/**
 * Checks GitHub secret scanning requests: an ECDSA P-256 / SHA-256 signature of the raw
 * body by one of the keys GitHub publishes. The keys are fetched once and cached; an
 * unknown key identifier refetches them (GitHub rotates keys), but at most once per
 * `refetchMinMs` and never for every request, so forged identifiers cannot make us fetch
 * on their behalf. A signed body is accepted once: a replayed request is refused, whatever
 * form its signature takes (base64 is decoded leniently, and an ECDSA signature has a
 * second valid form), so replays are recognised by the body, not the signature's text.
 */
@Injectable()
export class GithubSignatureService {
  private readonly logger = new Logger(GithubSignatureService.name);
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private lastFetchAttemptAt = -Infinity;
  private inFlight?: Promise<void>;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Resolves when the request is authentic and new; else throws UNAUTHORIZED (or SERVICE_UNAVAILABLE when no keys can be had, or Redis cannot record it). */
  async check(request: SignedRequest): Promise<{ forget: () => Promise<void> }> {
    const { keyIdentifier, signature } = request;
    if (!keyIdentifier || !signature || keyIdentifier.length > MAX_HEADER_LENGTH || signature.length > MAX_HEADER_LENGTH) {
      throw new ApiError('UNAUTHORIZED', 'Missing or malformed GitHub signature headers');
    }
    const key = await this.keyFor(keyIdentifier);
    if (!key) throw new ApiError('UNAUTHORIZED', 'Unknown GitHub public key identifier');
    let valid = false;
    try {
      valid = verify('sha256', request.body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) throw new ApiError('UNAUTHORIZED', 'Invalid GitHub signature');
    const seenKey = SEEN_PREFIX + createHash('sha256').update(request.body).digest('hex');
    let fresh: string | null;
    try {
      fresh = await this.redis.set(seenKey, '1', 'EX', REPLAY_WINDOW_SECONDS, 'NX');
    } catch (error) {
      // Without the replay marker the request cannot be told from a replay: GitHub retries later.
      this.logger.warn(`could not record a GitHub secret scanning request as received: ${(error as Error).message}`);
      throw new ApiError('SERVICE_UNAVAILABLE', 'GitHub secret scanning reports cannot be received right now; retry later');
    }
    if (fresh !== 'OK') throw new ApiError('UNAUTHORIZED', 'GitHub request was already received');
    // A request that fails afterwards may be retried by GitHub with the same body.
    return { forget: () => this.forget(seenKey) };
  }

  /** Never throws: the failure it follows is the one to answer. */
  private async forget(seenKey: string): Promise<void> {
    try {
      await this.redis.del(seenKey);
    } catch (error) {
      this.logger.warn(`could not forget a failed GitHub secret scanning request; GitHub's retry of it will be refused: ${(error as Error).message}`);
    }
  }

  private async keyFor(identifier: string): Promise<KeyObject | undefined> {
    const stale = Date.now() - this.fetchedAt >= this.config.githubScanning.keysTtlMs;
    if (this.keys.size === 0 || stale || !this.keys.has(identifier)) await this.refresh();
    return this.keys.get(identifier);
  }

  /** One fetch at a time, and none within `refetchMinMs` of the last attempt (unless we have no keys at all). */
  private async refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const sinceLast = Date.now() - this.lastFetchAttemptAt;
    if (this.keys.size > 0 && sinceLast < this.config.githubScanning.refetchMinMs) return;
    if (this.keys.size === 0 && sinceLast < Math.min(1_000, this.config.githubScanning.refetchMinMs)) {
      throw new ApiError('SERVICE_UNAVAILABLE', 'GitHub public keys are unavailable; retry later');
    }
    this.lastFetchAttemptAt = Date.now();
    this.inFlight = this.fetchKeys().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    try {
      const response = await fetch(this.config.githubScanning.keysUrl, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`answered ${response.status}`);
      const published = (await response.json()) as PublishedKeys;
      const keys = new Map<string, KeyObject>();
      for (const entry of published.public_keys ?? []) {
        if (typeof entry.key_identifier !== 'string' || typeof entry.key !== 'string') continue;
        try {
          keys.set(entry.key_identifier, createPublicKey(entry.key));
        } catch {
          this.logger.warn(`GitHub public key ${entry.key_identifier.slice(0, 80)} does not parse; skipped`);
        }
      }
      if (keys.size === 0) throw new Error('no usable public keys in the answer');
      this.keys = keys;
      this.fetchedAt = Date.now();
    } catch (error) {
      this.logger.warn(`could not fetch GitHub secret scanning keys: ${(error as Error).message}`);
      // Known keys keep working; without any, GitHub is told to retry.
      if (this.keys.size === 0) throw new ApiError('SERVICE_UNAVAILABLE', 'GitHub public keys are unavailable; retry later');
    }
  }
}
