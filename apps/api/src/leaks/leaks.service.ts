import { Injectable } from '@nestjs/common';
import {
  type GithubTokenReport,
  type GithubTokenVerdict,
  githubTokenHash,
  type KeyLeakedData,
  LEAK_INCIDENT_WINDOW_MS,
  leakAction,
  type LeakEvidence,
  type LeakReportRecord,
  MAX_LEAK_REPORTS_KEPT,
  newId,
  type ReportLeakResponse,
  withoutKeyMaterial,
} from '@keywarden/core';
import {
  AlertEntity,
  ApiKeyEntity,
  AppEntity,
  currentPrefix,
  customerAudienceOf,
  insertAlert,
  iso,
  keyTraffic,
  leakAlertSinceForUpdate,
  newAlertRow,
  recordAlertRepeat,
  recordWebhookEvent,
  secretsByHash,
} from '@keywarden/db';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ApiError } from '../common/api-error';
import { findAppResourceForActor } from '../common/app-access';
import { KeyCacheService } from '../credentials/key-cache.service';
import { KeyMaterialService } from '../credentials/key-material.service';
import type { Actor } from '../credentials/principal';
import { KeyLifecycle } from '../keys/key-lifecycle.service';
import { KeyStore } from '../keys/key-store.service';
import { ADMIN_KEY_SUBJECT } from '../sessions/session-authenticator.service';
import { SessionStore } from '../sessions/session-store.service';
import type { ReportLeakDto } from './dto/report-leak.dto';

/** Who reported a leak: an admin key (through POST /v1/leaks), or GitHub secret scanning. */
interface Reporter {
  actor: Actor | null;
  source: string | null;
  url: string | null;
}

/**
 * A report's source and URL are the reporter's free text, and a leaked key is often found
 * in a URL (`…?api_key=kw_live_…`) or pasted beside it: they go into the alert's evidence,
 * the audit log and `key.leaked` (to customers' endpoints too), so any key they quote is
 * withheld first. With `notify` (or `disable`) the key still works.
 */
function reporterOf(actor: Actor | null, source: string | null, url: string | null): Reporter {
  return {
    actor,
    source: source === null ? null : withoutKeyMaterial(source),
    url: url === null ? null : withoutKeyMaterial(url),
  };
}

/** The key's traffic of the 24 h before a report, as the leak alert's evidence gives it. */
type LeakTraffic = Pick<LeakEvidence, 'observed' | 'topIps' | 'topModels'>;

interface SecretMatch {
  keyId: string;
  /** The secret still opens its key (it is current, or within its rotation grace). */
  live: boolean;
}

const TOP_N = 5;

/**
 * Leak reports: a confirmed leak applies its app's `leakResponse` to the key, opens a
 * `leak` alert with what a responder needs first, sends `key.leaked` and is audited.
 * Reports of the same key within 24 h of its incident's first report join that incident.
 */
@Injectable()
export class LeaksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly material: KeyMaterialService,
    private readonly lifecycle: KeyLifecycle,
    private readonly store: KeyStore,
    private readonly audit: AuditService,
    private readonly keyCache: KeyCacheService,
    private readonly sessions: SessionStore,
  ) {}

  /** POST /v1/leaks. Keys the caller cannot see (other workspaces, admin keys, bad checksums) are unknown: 404. */
  async report(actor: Actor, dto: ReportLeakDto): Promise<ReportLeakResponse> {
    if ((dto.key === undefined) === (dto.keyId === undefined)) throw ApiError.validation('key', 'give exactly one of key and keyId');
    let keyId = dto.keyId;
    let live = true;
    if (dto.key !== undefined) {
      const [match] = (await this.matchSecrets([dto.key])).values();
      if (!match) throw ApiError.notFound('Key');
      ({ keyId, live } = match);
    }
    const reporter = reporterOf(actor, dto.source ?? null, dto.url ?? null);
    const now = new Date();
    const traffic = this.trafficBefore(keyId as string, now);
    const result = await this.dataSource.transaction(async (manager) => {
      const row = await findAppResourceForActor(manager, ApiKeyEntity, actor, { id: keyId as string, kind: 'app' }, 'Key', { lock: true });
      return this.confirm(manager, row, live, reporter, now, traffic);
    });
    const propagation = await this.keyCache.invalidate([result.keyId]);
    return { ...result, propagation };
  }

  /**
   * POST /v1/leaks/github, its signature already checked. Tokens failing the checksum (or
   * of another brand) are false positives without any lookup; the others are looked up
   * by hash in one query. Each report of ours (a secret at one location) is confirmed in
   * its own transaction, in order: several locations of one secret are each a report of
   * the key's incident, and a live secret after a rotated-out one still contains the key.
   */
  async reportFromGithub(tokens: GithubTokenReport[]): Promise<GithubTokenVerdict[]> {
    const ours = await this.matchSecrets(tokens.map((report) => report.token));
    const handled = new Set<string>();
    const changed = new Set<string>();
    const revokedAdminKeys: string[] = [];
    try {
      for (const report of tokens) {
        const match = ours.get(report.token);
        const location = `${report.token}\n${report.source}\n${report.url}`;
        if (!match || handled.has(location)) continue;
        handled.add(location);
        const reporter = reporterOf(null, report.source ? `github:${report.source}` : 'github', report.url || null);
        const now = new Date();
        const traffic = this.trafficBefore(match.keyId, now);
        const adminKeyRevoked = await this.dataSource.transaction(async (manager) => {
          const row = await manager.findOne(ApiKeyEntity, { where: { id: match.keyId }, lock: { mode: 'pessimistic_write' } });
          if (!row) return false;
          if (row.kind === 'admin') return this.lifecycle.revokeAdminKey(manager, null, row, { reason: 'leak', source: reporter.source, url: reporter.url });
          await this.confirm(manager, row, match.live, reporter, now, traffic);
          return false;
        });
        if (adminKeyRevoked) revokedAdminKeys.push(match.keyId);
        changed.add(match.keyId);
      }
    } finally {
      // Each report commits on its own: the keys changed before a later report failed are
      // revoked (or disabled) for good, so every instance drops them now, not at a retry.
      await this.keyCache.invalidate([...changed]);
      // A leaked admin key's console sessions end with it, as when an operator revokes it.
      for (const id of revokedAdminKeys) await this.sessions.endAllOfWithdrawn({ type: ADMIN_KEY_SUBJECT, id });
    }
    return tokens.map((report) => ({
      token_hash: githubTokenHash(report.token),
      token_type: report.type,
      label: ours.has(report.token) ? 'true_positive' : 'false_positive',
    }));
  }

  /** Presented secrets of ours → their key; checksum-failing candidates are never hashed or looked up. */
  private async matchSecrets(candidates: string[]): Promise<Map<string, SecretMatch>> {
    const byHash = new Map<string, string>();
    for (const candidate of new Set(candidates)) {
      if (this.material.parse(candidate).ok) byHash.set(this.material.hash(candidate).toString('hex'), candidate);
    }
    const matches = new Map<string, SecretMatch>();
    if (byHash.size === 0) return matches;
    const rows = await secretsByHash(this.dataSource, [...byHash.keys()].map((hex) => Buffer.from(hex, 'hex')));
    for (const row of rows) matches.set(byHash.get(row.hash) as string, { keyId: row.keyId, live: row.live });
    return matches;
  }

  /**
   * Every report whose secret still opens the key applies the app's response to it: a
   * report joining an incident too (the key may have been enabled or rotated since, and
   * its new secret leaked). Joined: the key's unresolved incident begun within 24 h; else
   * one is opened. `key.leaked` goes out when an incident opens and when a report changes
   * the key.
   */
  private async confirm(
    manager: EntityManager,
    row: ApiKeyEntity,
    live: boolean,
    reporter: Reporter,
    now: Date,
    traffic: Promise<LeakTraffic>,
  ): Promise<Omit<ReportLeakResponse, 'propagation'>> {
    const record: LeakReportRecord = {
      source: reporter.source,
      url: reporter.url,
      reportedAt: now.toISOString(),
      reportedBy: reporter.actor?.principal.keyId ?? 'github',
    };
    const app = await manager.findOneByOrFail(AppEntity, { id: row.appId as string });
    const incident = await leakAlertSinceForUpdate(manager, row.id, new Date(now.getTime() - LEAK_INCIDENT_WINDOW_MS));
    // A leaked secret that no longer opens the key (rotated out) leaves the key alone.
    const action = live ? leakAction(app.leakResponse, row.status) : 'none';
    const details = { reason: 'leak', source: reporter.source, url: reporter.url };
    // `key.leaked` goes out when an incident opens and when a report changes the key; a
    // report that joins and changes nothing needs neither the event nor the prefix.
    const announced = incident === null || action !== 'none';
    // Read once: the `key.revoked` event of a revoke and the `key.leaked` event both name the current prefix.
    const secrets = announced ? await this.store.liveSecrets(manager, [row.id]) : null;
    if (action === 'revoked') await this.lifecycle.setStatus(manager, reporter.actor, [row], 'revoke', details, secrets ?? undefined);
    if (action === 'disabled') await this.lifecycle.setStatus(manager, reporter.actor, [row], 'disable', details);

    const customerScope = customerAudienceOf(row);
    let alertId: string;
    if (incident) {
      const evidence = incident.evidence as unknown as LeakEvidence;
      evidence.reports = [record, ...evidence.reports].slice(0, MAX_LEAK_REPORTS_KEPT);
      if (action !== 'none') Object.assign(evidence, { leakResponse: app.leakResponse, action });
      incident.occurrences += 1;
      incident.lastDetectedAt = now;
      await recordAlertRepeat(manager, incident);
      alertId = incident.id;
    } else {
      const evidence: LeakEvidence = {
        ...(await traffic),
        expected: 0,
        window: '24h',
        baselineHours: 0,
        source: reporter.source,
        url: reporter.url,
        firstReportedAt: now.toISOString(),
        leakResponse: app.leakResponse,
        action,
        lastUsedAt: iso(row.lastUsedAt),
        reports: [record],
      };
      const alert = newAlertRow(manager, {
        id: newId('alert'),
        workspaceId: row.workspaceId,
        appId: app.id,
        keyId: row.id,
        customerId: customerScope,
        model: null,
        type: 'leak',
        fingerprint: `leak:${row.id}:${now.getTime()}`,
        severity: 'high',
        evidence: evidence as unknown as AlertEntity['evidence'],
        firstDetectedAt: now,
      });
      await insertAlert(manager, alert);
      alertId = alert.id;
    }
    if (announced) {
      const data: KeyLeakedData = {
        keyId: row.id,
        appId: app.id,
        environment: row.environment,
        name: row.name,
        prefix: currentPrefix(secrets?.get(row.id) ?? []),
        alertId,
        source: reporter.source,
        url: reporter.url,
        action,
        customerId: row.customerId,
      };
      await recordWebhookEvent(manager, {
        workspaceId: row.workspaceId,
        appId: app.id,
        customerId: customerScope,
        type: 'key.leaked',
        data,
        occurredAt: now,
      });
    }
    const newIncident = incident === null;
    await this.auditReport(manager, reporter, row, { alertId, newIncident, action });
    return { keyId: row.id, alertId, newIncident, leakResponse: app.leakResponse, action };
  }

  private async auditReport(manager: EntityManager, reporter: Reporter, row: ApiKeyEntity, details: Record<string, unknown>): Promise<void> {
    await this.audit.record(manager, reporter.actor, row.workspaceId, {
      action: 'key.leak_reported',
      targetType: 'key',
      targetId: row.id,
      details: { appId: row.appId, source: reporter.source, url: reporter.url, reportedBy: reporter.actor ? 'admin' : 'github', ...details },
    });
  }

  /**
   * The key's traffic over the 24 h before the report, from the access log. Read on its own
   * connection while the report's transaction runs, so the key stays locked one round trip
   * shorter (a read needs no lock). It is started before the key is known to need it: a
   * report that joins an open incident, names an admin key or fails (an unknown key) never
   * looks at the result, so rejections are left for `confirm` to await.
   */
  private trafficBefore(keyId: string, now: Date): Promise<LeakTraffic> {
    const traffic = keyTraffic(this.dataSource.manager, keyId, new Date(now.getTime() - 86_400_000), now, TOP_N).then((found) => ({
      observed: found.requests,
      topIps: found.topIps.map(({ value, requests }) => ({ ip: value, requests })),
      topModels: found.topModels.map(({ value, requests }) => ({ model: value, requests })),
    }));
    traffic.catch(() => undefined);
    return traffic;
  }
}
