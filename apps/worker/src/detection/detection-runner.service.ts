import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  closeIncident,
  DETECTION_HISTORY_DAYS,
  detectorSettingsOf,
  type DetectorSettings,
  type IncidentEvent,
  lastClosedMinuteStart,
  MINUTE_MS,
  type MinuteCount,
  newAppDetectionState,
  restoreAppDetectionState,
  planSteps,
  stepMinute,
  type AppDetectionState,
  type StepPlan,
} from '@keywarden/core';
import {
  appsDueForDetection,
  detectionSettingsOfApp,
  claimDetectionState,
  type DueApp,
  ensureDetectionState,
  firstMinuteWithTraffic,
  minuteCountsOfApp,
  saveDetectionState,
  takeAdminClosedIncidents,
} from '@keywarden/db';
import { REDIS } from '@keywarden/platform';
import type Redis from 'ioredis';
import { DataSource, type EntityManager } from 'typeorm';
import { PeriodicJob } from '../common/periodic-job';
import type { DetectionConfig } from '../config/worker-config';
import { DetectionMetrics } from './detection-metrics.service';
import { DETECTION_CONFIG, KEY_INVALIDATION_CHANNEL } from './detection.tokens';
import { type AlertChange, applyIncident, type IncidentScope } from './incident-writer';

/**
 * One transaction steps at most a day of minutes: a first sight's 35-day warm-up, or a
 * catch-up after downtime, is a series of short transactions (rollups in memory, row locks
 * held, an admin's resolve waiting) rather than one long one.
 */
const MAX_MINUTES_PER_STEP = 1_440;
/** An app whose step fails is retried after a growing pause (interval × 2^failures), at most this long. */
const MAX_RETRY_PAUSE_MS = 10 * 60_000;

interface AppStepResult {
  appId: string;
  /** Closed minutes remain: step the app again. */
  more: boolean;
  learnedMinutes: number;
  liveMinutes: number;
  incidents: IncidentEvent[];
  alerts: AlertChange[];
  /** Keys contained or released by this step: every API instance drops them from its cache. */
  changedKeys: Set<string>;
}

interface MinuteRun {
  scope: IncidentScope;
  settings: DetectorSettings;
  state: AppDetectionState;
  /** Fingerprints of the detectors' open incidents, kept in step with the state. */
  open: Set<string>;
  plan: StepPlan;
}

/**
 * Runs the detectors of core on closed minute buckets, every KW_DETECTION_INTERVAL_MS.
 * An app is due when it has minute rollups after its watermark (the last minute stepped)
 * or open incidents, whose quiet period needs the empty minutes too. Each app is stepped
 * by one worker at a time (its state row, locked with SKIP LOCKED), and everything a step
 * changes — detector state, watermark, alerts and their outbox events — commits in one
 * transaction, so a crash or a retry never alerts twice.
 */
@Injectable()
export class DetectionRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DetectionRunner.name);
  private readonly job: PeriodicJob;
  /** Set on shutdown: a run in progress stops between apps (and between steps of one). */
  private stopping = false;
  /** Apps whose last step failed: retried from `retryAtMs` on, so one bad app cannot hog every run. */
  private readonly failing = new Map<string, { failures: number; retryAtMs: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(DETECTION_CONFIG) private readonly config: DetectionConfig,
    private readonly metrics: DetectionMetrics,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(KEY_INVALIDATION_CHANNEL) private readonly invalidationChannel: string,
  ) {
    this.job = new PeriodicJob('detection run', config.intervalMs, this.logger, () => this.run());
  }

  onApplicationBootstrap(): void {
    void this.job.start();
  }

  onModuleDestroy(): Promise<void> {
    this.stopping = true;
    return this.job.stop();
  }

  /** One pass over every app with work. */
  async run(): Promise<void> {
    const started = process.hrtime.bigint();
    const lastClosedMs = lastClosedMinuteStart(Date.now(), this.config.closeDelayMs);
    // Caught up, unless steps failed: then the oldest watermark of those apps.
    let oldestWatermarkEnd = lastClosedMs + MINUTE_MS;
    for (const { appId, watermark } of await this.dueApps(lastClosedMs)) {
      if (this.stopping) break;
      const failing = this.failing.get(appId);
      if (!failing || Date.now() >= failing.retryAtMs) await this.catchUp(appId, lastClosedMs);
      if (this.failing.has(appId) && watermark) {
        oldestWatermarkEnd = Math.min(oldestWatermarkEnd, watermark.getTime() + MINUTE_MS);
      }
    }
    this.metrics.lag.set(Math.max(0, (Date.now() - oldestWatermarkEnd) / 1000));
    this.metrics.runDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** Steps an app up to the last closed minute; a failure pauses it (growing pauses). */
  private async catchUp(appId: string, lastClosedMs: number): Promise<void> {
    try {
      let more = true;
      while (more && !this.stopping) {
        const started = Date.now();
        const step = await this.stepApp(appId, lastClosedMs);
        await this.invalidate([...step.changedKeys]);
        this.record(step, Date.now() - started);
        more = step.more;
      }
      this.failing.delete(appId);
    } catch (error) {
      const failures = (this.failing.get(appId)?.failures ?? 0) + 1;
      const pauseMs = Math.min(MAX_RETRY_PAUSE_MS, this.config.intervalMs * 2 ** failures);
      this.failing.set(appId, { failures, retryAtMs: Date.now() + pauseMs });
      this.metrics.runFailures.inc();
      this.logger.error(`detection step of app ${appId} failed (retry in ${pauseMs} ms): ${(error as Error).message}`);
    }
  }

  /** Apps with work (see appsDueForDetection): new minutes before `lastClosedMs`, within the history horizon. */
  private dueApps(lastClosedMs: number): Promise<DueApp[]> {
    return appsDueForDetection(this.dataSource, new Date(lastClosedMs), new Date(historyHorizon(lastClosedMs) - MINUTE_MS));
  }

  /** Steps the closed minutes of one app after its watermark (up to a day of them), in one transaction. */
  private async stepApp(appId: string, lastClosedMs: number): Promise<AppStepResult> {
    const result: AppStepResult = { appId, more: false, learnedMinutes: 0, liveMinutes: 0, incidents: [], alerts: [], changedKeys: new Set() };
    await ensureDetectionState(this.dataSource, appId);
    await this.dataSource.transaction(async (manager) => {
      const row = await claimDetectionState<AppDetectionState>(manager, appId);
      if (!row) return; // another worker is stepping it
      const watermarkMs = row.watermark ? row.watermark.getTime() : null;
      const plan = planSteps({
        watermarkMs,
        firstDataMs: watermarkMs === null ? await firstStoredMinute(manager, appId, lastClosedMs) : null,
        lastClosedMs,
        alertWindowMinutes: this.config.alertWindowMinutes,
        maxMinutes: MAX_MINUTES_PER_STEP,
      });
      // State saved by an earlier version is migrated (learned baselines kept), not reset.
      const state = row.state ? restoreAppDetectionState(row.state) : newAppDetectionState();
      const open = new Set(row.open_fingerprints);

      // Incidents an admin resolved: forgotten, so that a recurrence opens a new alert.
      const closed = await takeAdminClosedIncidents(manager, appId);
      for (const fingerprint of closed) {
        closeIncident(state, fingerprint);
        open.delete(fingerprint);
      }
      if (!plan && closed.length === 0) return;

      const app = await detectionSettingsOfApp(manager, appId);
      const settings = detectorSettingsOf({
        timezone: app.timezone,
        businessHours: app.businessHours,
        detection: app.detectionSettings,
      });
      const scope = { workspaceId: app.workspaceId, appId, containment: app.containment };

      if (plan) await this.stepMinutes(manager, { scope, settings, state, open, plan }, result);

      await saveDetectionState(manager, appId, { state, watermark: plan ? new Date(plan.toMs) : row.watermark, openFingerprints: [...open] });
    });
    return result;
  }

  /** Steps the planned minutes; only those from `plan.liveFromMs` on change alerts. */
  private async stepMinutes(manager: EntityManager, run: MinuteRun, result: AppStepResult): Promise<void> {
    const { scope, settings, state, open, plan } = run;
    const counts = await minuteCounts(manager, scope.appId, plan.fromMs, plan.toMs);
    for (let minute = plan.fromMs; minute <= plan.toMs; minute += MINUTE_MS) {
      const live = minute >= plan.liveFromMs;
      if (live) result.liveMinutes++;
      else result.learnedMinutes++;
      for (const event of stepMinute(state, settings, minute, counts.get(minute) ?? [])) {
        result.incidents.push(event);
        if (event.change === 'resolved') open.delete(event.fingerprint);
        else open.add(event.fingerprint);
        if (!live) continue;
        const change = await applyIncident(manager, scope, event, result.changedKeys);
        if (change) result.alerts.push(change);
      }
    }
    result.more = plan.more;
  }

  /** Contained or released keys: the API instances' caches drop them (as for a revocation). */
  private async invalidate(keyIds: string[]): Promise<void> {
    try {
      await Promise.all(keyIds.map((keyId) => this.redis.publish(this.invalidationChannel, keyId)));
    } catch (error) {
      this.logger.warn(`could not broadcast containment changes, API instances converge within their cache TTL: ${(error as Error).message}`);
    }
  }

  /** Metrics count committed work only. */
  private record(step: AppStepResult, ms: number): void {
    if (step.learnedMinutes) this.metrics.minutesStepped.inc({ mode: 'learn' }, step.learnedMinutes);
    if (step.liveMinutes) this.metrics.minutesStepped.inc({ mode: 'live' }, step.liveMinutes);
    for (const event of step.incidents) this.metrics.incidents.inc({ change: event.change, type: event.type });
    const stepped = step.learnedMinutes + step.liveMinutes;
    if (stepped > 0) {
      this.logger.debug(`app ${step.appId}: stepped ${stepped} minutes (${step.learnedMinutes} learned) in ${ms} ms`);
    }
    if (step.alerts.length > 0) this.logger.log(`app ${step.appId}: alerts ${step.alerts.join(', ')}`);
  }
}

function historyHorizon(lastClosedMs: number): number {
  return lastClosedMs - DETECTION_HISTORY_DAYS * 86_400_000;
}

/** The oldest minute with traffic within the history horizon: where a first sight starts learning. */
async function firstStoredMinute(manager: EntityManager, appId: string, lastClosedMs: number): Promise<number | null> {
  const first = await firstMinuteWithTraffic(manager, appId, new Date(historyHorizon(lastClosedMs)), new Date(lastClosedMs));
  return first ? first.getTime() : null;
}

/** Requests per minute, key and model (all outcomes) of one app; '' in the rollups means no model. */
async function minuteCounts(
  manager: EntityManager,
  appId: string,
  fromMs: number,
  toMs: number,
): Promise<Map<number, MinuteCount[]>> {
  const rows = await minuteCountsOfApp(manager, appId, new Date(fromMs), new Date(toMs));
  const byMinute = new Map<number, MinuteCount[]>();
  for (const row of rows) {
    const minute = row.bucket.getTime();
    let counts = byMinute.get(minute);
    if (!counts) byMinute.set(minute, (counts = []));
    counts.push({ keyId: row.key_id, model: row.model === '' ? null : row.model, count: Number(row.count) });
  }
  return byMinute;
}
