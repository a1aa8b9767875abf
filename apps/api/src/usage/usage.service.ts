import { Inject, Injectable } from '@nestjs/common';
import {
  type AccessLogEntry,
  costToMicros,
  effectivePolicy,
  type Granularity,
  microsToCost,
  newId,
  type Page,
  REPORT_MAX_FUTURE_SKEW_MS,
  type ReportUsageResponse,
  type UsageEvent,
  type UsagePoint,
  type UsageResponse,
} from '@keywarden/core';
import { accessLogOfKey, appKeysWithPolicies, isCustomerOfWorkspace, rollupSeries } from '@keywarden/db';
import { DataSource } from 'typeorm';
import { AppsService } from '../apps/apps.service';
import { ApiError } from '../common/api-error';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { assertCanActOnApp } from '../common/app-access';
import { limitOf } from '../common/pagination';
import type { Actor } from '../credentials/principal';
import type { ReportUsageDto } from './dto/report-usage.dto';
import type { ListKeyRequestsQueryDto, UsageQueryDto } from './dto/usage-query.dto';
import { MetricsService } from '../metrics/metrics.service';
import { SpendService } from '../policy/spend.service';
import { UsageRecorder } from './usage-recorder.service';

const BUCKET_MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** Most buckets one query may span. */
export const MAX_BUCKETS: Record<Granularity, number> = { minute: 1_440, hour: 2_000, day: 1_000 };
const DAY_MS = 86_400_000;

interface KeyOfReport {
  appId: string;
  appDeleted: boolean;
  canary: boolean;
  capMicros: number | null;
  customerId: string | null;
  customerCapMicros: number | null;
}

function encodeCursor(ts: string, id: string): string {
  return Buffer.from(JSON.stringify([ts, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      !Number.isNaN(Date.parse(value[0].replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')))
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // falls through
  }
  throw ApiError.validation('cursor', 'is not a valid cursor');
}

function timeRange(from: string | undefined, to: string | undefined): { from?: Date; to?: Date } {
  const start = from === undefined ? undefined : new Date(from);
  const end = to === undefined ? undefined : new Date(to);
  if (start && end && start.getTime() >= end.getTime()) throw ApiError.validation('to', 'must be after from');
  return { from: start, to: end };
}

@Injectable()
export class UsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apps: AppsService,
    private readonly recorder: UsageRecorder,
    private readonly spend: SpendService,
    private readonly metrics: MetricsService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * Reported usage is stamped within [now - the access log's retention, now + clock skew]:
   * an older item's access-log row would be dropped at once while the rollups (and the
   * spend of its day) kept it, rewriting history no log explains; a later one is not
   * usage yet.
   */
  private assertReportWindow(dto: ReportUsageDto): void {
    const nowMs = Date.now();
    const maxAgeDays = this.config.usage.reportMaxAgeDays;
    const earliest = nowMs - maxAgeDays * DAY_MS;
    const latest = nowMs + REPORT_MAX_FUTURE_SKEW_MS;
    dto.events.forEach((item, index) => {
      const at = Date.parse(item.timestamp);
      if (at > latest) {
        throw ApiError.validation(`events.${index}.timestamp`, `must not be more than ${REPORT_MAX_FUTURE_SKEW_MS / 60_000} minutes in the future`);
      }
      if (at < earliest) {
        throw ApiError.validation(
          `events.${index}.timestamp`,
          `must not be more than ${maxAgeDays} days in the past (the access log's retention, KW_ACCESS_LOG_RETENTION_DAYS)`,
        );
      }
    });
  }

  /** Another workspace's customer does not exist here. */
  private async assertCustomerOfWorkspace(actor: Actor, customerId: string): Promise<void> {
    if (!(await isCustomerOfWorkspace(this.dataSource, customerId, actor.principal.workspaceId))) throw ApiError.notFound('Customer');
  }

  /**
   * Keys of the caller's workspace (app keys only), checked in one query; else 404 / 403.
   * Answers each key's app and daily spend cap. `liveAppsOnly`: a key of a deleted app is
   * not found either (usage reported for it would count for an app nobody can query).
   */
  private async keysForActor(actor: Actor, keyIds: string[], { liveAppsOnly = false } = {}): Promise<Map<string, KeyOfReport>> {
    const unique = [...new Set(keyIds)];
    const rows = await appKeysWithPolicies(this.dataSource, actor.principal.workspaceId, unique);
    const keys = new Map(
      rows.map((row): [string, KeyOfReport] => [
        row.id,
        {
          appId: row.app_id,
          appDeleted: row.app_deleted,
          canary: row.canary,
          capMicros: effectivePolicy(row.default_policy, row.policy).dailySpendLimitMicros,
          customerId: row.customer_id,
          customerCapMicros: row.customer_policy?.dailySpendLimitMicros ?? null,
        },
      ]),
    );
    const missing = unique.find((id) => !keys.has(id));
    if (missing !== undefined) throw new ApiError('NOT_FOUND', `Key ${missing} not found`);
    const ofDeletedApp = liveAppsOnly ? unique.find((id) => keys.get(id)?.appDeleted) : undefined;
    if (ofDeletedApp !== undefined) throw new ApiError('NOT_FOUND', `Key ${ofDeletedApp} not found: its app was deleted`);
    for (const [keyId, { appId }] of keys) assertCanActOnApp(actor, appId, ` (key ${keyId})`);
    return keys;
  }

  async report(actor: Actor, dto: ReportUsageDto): Promise<ReportUsageResponse> {
    this.assertReportWindow(dto);
    // A revoked key still takes reports (usage known after the fact of requests it made
    // before); a key of a deleted app does not, as an unknown key.
    const keys = await this.keysForActor(
      actor,
      dto.events.map((item) => item.keyId),
      { liveAppsOnly: true },
    );
    // A canary is never used for real: usage reported for one is a mistake, not traffic.
    const canaryAt = dto.events.findIndex((item) => keys.get(item.keyId)?.canary);
    if (canaryAt !== -1) throw ApiError.validation(`events.${canaryAt}.keyId`, 'is a canary key: canaries never count usage');
    const events: UsageEvent[] = dto.events.map((item) => {
      const at = new Date(item.timestamp);
      const key = keys.get(item.keyId) as KeyOfReport;
      return {
        id: newId('event', at.getTime()),
        timestamp: at.toISOString(),
        workspaceId: actor.principal.workspaceId,
        appId: key.appId,
        keyId: item.keyId,
        customerId: key.customerId,
        kind: 'report',
        route: 'POST /v1/usage',
        scope: null,
        model: item.model,
        outcome: 'VALID',
        status: 200,
        ip: null,
        units: item.units,
        costMicros: costToMicros(item.cost),
        latencyMs: 0,
        requestId: item.requestId,
      };
    });
    // The first report of a requestId is the one that counts, in the rollups and the spend
    // caps alike: a replay is taken (answered as accepted) but neither recorded nor charged.
    // Decided here, when the report arrives, not by which instance's batch reaches a
    // worker first; without Redis every item is recorded and the worker drops replays.
    const workspaceId = actor.principal.workspaceId;
    const claims = await this.spend.claimReports(
      workspaceId,
      events.map((event) => event.requestId as string),
    );
    const firsts = events.filter((_, index) => claims[index] !== 'replay');
    // A requestId whose claim expired (2 days) may be one the rollups already hold: read
    // before this report's events can reach a worker, so that they cannot find themselves.
    const counted = await this.spend.countedReports(
      workspaceId,
      firsts.filter((event) => event.costMicros > 0).map((event) => event.requestId as string),
    );
    // All or nothing: a partial report would be silently lost. The client retries, and its
    // retry must not be taken for a replay of this one.
    if (!this.recorder.recordAll(firsts)) {
      await this.spend.releaseReports(
        workspaceId,
        events.filter((_, index) => claims[index] === 'claimed').map((event) => event.requestId as string),
      );
      throw new ApiError('SERVICE_UNAVAILABLE', 'Usage buffer is full; retry later');
    }
    this.metrics.usageReportReplays.inc(events.length - firsts.length);
    this.spend.addReported(
      firsts
        .filter((event) => !counted.has(event.requestId as string))
        .map((event) => {
          const key = keys.get(event.keyId as string) as KeyOfReport;
          return {
            holder: { workspaceId, appId: event.appId as string, keyId: event.keyId as string, customerId: event.customerId ?? null },
            micros: event.costMicros,
            capMicros: key.capMicros,
            customerCapMicros: key.customerCapMicros,
            atMs: Date.parse(event.timestamp),
          };
        }),
    );
    return { accepted: events.length };
  }

  /** `onlyCustomerId`: one customer's share of a key's usage (the portal's view of a key that moved between customers). */
  async query(actor: Actor, query: UsageQueryDto, onlyCustomerId?: string): Promise<UsageResponse> {
    const subjects = [query.appId, query.keyId, query.customerId].filter((value) => value !== undefined);
    if (subjects.length !== 1) {
      throw ApiError.validation('appId', 'exactly one of appId, keyId and customerId is required');
    }
    const { from, to } = timeRange(query.from, query.to) as { from: Date; to: Date };
    const size = BUCKET_MS[query.granularity];
    const buckets = Math.ceil((to.getTime() - Math.floor(from.getTime() / size) * size) / size);
    if (buckets > MAX_BUCKETS[query.granularity]) {
      throw ApiError.validation('to', `the range spans ${buckets} ${query.granularity} buckets; at most ${MAX_BUCKETS[query.granularity]}`);
    }
    if (query.keyId !== undefined) await this.keysForActor(actor, [query.keyId]);
    else if (query.customerId !== undefined) await this.assertCustomerOfWorkspace(actor, query.customerId);
    else await this.apps.findForActor(actor, query.appId as string);

    const rows = await rollupSeries(this.dataSource, {
      granularity: query.granularity,
      workspaceId: actor.principal.workspaceId,
      keyId: query.keyId,
      customerId: query.customerId,
      appId: query.appId,
      // A customer's keys may span apps: a key restricted to some apps sees their share only.
      onlyAppIds: query.customerId !== undefined ? actor.principal.appIds : null,
      onlyCustomerId,
      from,
      to,
      model: query.model,
      groupBy: query.groupBy,
    });
    let requests = 0;
    let units = 0;
    let costMicros = 0;
    const series = rows.map((row): UsagePoint => {
      const point: UsagePoint = {
        bucket: row.bucket.toISOString(),
        requests: Number(row.requests),
        units: Number(row.units),
        cost: microsToCost(Number(row.cost_micros)),
      };
      requests += point.requests;
      units += point.units;
      costMicros += Number(row.cost_micros);
      if (query.groupBy) point[query.groupBy] = row.dim as string;
      return point;
    });
    return {
      granularity: query.granularity,
      from: from.toISOString(),
      to: to.toISOString(),
      totals: { requests, units, cost: microsToCost(costMicros) },
      series,
    };
  }

  async requests(actor: Actor, keyId: string, query: ListKeyRequestsQueryDto): Promise<Page<AccessLogEntry>> {
    const { from, to } = timeRange(query.from, query.to);
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    await this.keysForActor(actor, [keyId]);
    const limit = limitOf(query);
    const rows = await accessLogOfKey(this.dataSource, {
      workspaceId: actor.principal.workspaceId,
      keyId,
      from,
      to,
      outcome: query.outcome,
      model: query.model,
      after: cursor,
      take: limit + 1,
    });
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      data: page.map((row) => ({
        id: row.id,
        timestamp: row.ts.toISOString(),
        kind: row.kind,
        route: row.route,
        scope: row.scope,
        model: row.model,
        outcome: row.outcome,
        status: row.status,
        ip: row.ip,
        units: Number(row.units),
        cost: microsToCost(Number(row.cost_micros)),
        latencyMs: row.latency_ms,
        requestId: row.request_id,
        customerId: row.customer_id,
      })),
      nextCursor: hasMore ? encodeCursor(last.ts_text, last.id) : null,
    };
  }
}
