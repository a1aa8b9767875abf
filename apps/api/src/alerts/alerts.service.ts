import { Injectable } from '@nestjs/common';
import { type Alert, type Page } from '@keywarden/core';
import { AlertEntity, alertsPage, lockDetectionState, recordAlertEvent, releaseContainment, toAlert } from '@keywarden/db';
import { DataSource, type EntityManager } from 'typeorm';
import { auditActorOf, AuditService } from '../audit/audit.service';
import { ApiError } from '../common/api-error';
import { findAppResourceForActor } from '../common/app-access';
import { assertFilterSubjects } from '../common/filter-subjects';
import { limitOf, pageOf } from '../common/pagination';
import { KeyCacheService } from '../credentials/key-cache.service';
import type { Actor } from '../credentials/principal';
import type { ListAlertsQueryDto } from './dto/list-alerts-query.dto';

@Injectable()
export class AlertsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly keyCache: KeyCacheService,
  ) {}

  async list(actor: Actor, query: ListAlertsQueryDto): Promise<Page<Alert>> {
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to)) {
      throw ApiError.validation('to', 'must be after from');
    }
    await assertFilterSubjects(this.dataSource, actor, query);
    const limit = limitOf(query);
    return pageOf(await alertsPage(this.dataSource.manager, actor.principal, query, limit), limit, toAlert);
  }

  async get(actor: Actor, alertId: string): Promise<Alert> {
    return toAlert(await this.findForActor(actor, alertId, this.dataSource.manager));
  }

  /**
   * Someone is on it. Acknowledging again changes nothing (the first acknowledgement is
   * kept); a resolved alert cannot be acknowledged (409).
   */
  async acknowledge(actor: Actor, alertId: string): Promise<Alert> {
    return this.dataSource.transaction(async (manager) => {
      const alert = await this.findForActor(actor, alertId, manager, { lock: true });
      if (alert.status === 'resolved') throw ApiError.conflict('Alert is resolved and can no longer be acknowledged');
      if (alert.status === 'open') {
        Object.assign(alert, { status: 'acknowledged', acknowledgedAt: new Date(), acknowledgedBy: actor.principal.keyId });
        await manager.save(alert);
        await this.audit.record(manager, actor, alert.workspaceId, {
          action: 'alert.acknowledged',
          targetType: 'alert',
          targetId: alert.id,
          details: { appId: alert.appId, type: alert.type },
        });
      }
      return toAlert(alert);
    });
  }

  /**
   * Closes the incident: `alert.resolved` goes out, and the detector forgets the incident on
   * the app's next step, so that a recurrence opens a new alert. Resolving a resolved
   * alert changes nothing.
   */
  async resolve(actor: Actor, alertId: string): Promise<Alert> {
    const { alert, releasedKeyId } = await this.dataSource.transaction(async (manager) => {
      const probe = await this.findForActor(actor, alertId, manager);
      // The detector's lock on the app first (its order), so that no step in progress
      // updates or re-opens the incident between this resolution and the detector's next step.
      await lockDetectionState(manager, probe.appId);
      const alert = await this.findForActor(actor, alertId, manager, { lock: true });
      if (alert.status === 'resolved') return { alert, releasedKeyId: null };
      const now = new Date();
      Object.assign(alert, {
        status: 'resolved',
        resolvedAt: now,
        resolvedBy: actor.principal.keyId,
        resolution: 'admin',
        incidentClosePending: true,
      });
      await manager.save(alert);
      await recordAlertEvent(manager, alert, now);
      await this.audit.record(manager, actor, alert.workspaceId, {
        action: 'alert.resolved',
        targetType: 'alert',
        targetId: alert.id,
        details: { appId: alert.appId, type: alert.type },
      });
      // Its containment ends with it.
      return { alert, releasedKeyId: await releaseContainment(manager, alert.id, auditActorOf(actor), 'resolved') };
    });
    if (releasedKeyId) await this.keyCache.invalidate([releasedKeyId]);
    return toAlert(alert);
  }

  /**
   * Ends the containment the alert put on its key (throttle, blocked model, disable), while
   * the alert itself stays as it is. Lifting an alert that contains nothing changes nothing.
   */
  async lift(actor: Actor, alertId: string): Promise<Alert> {
    const { alert, releasedKeyId } = await this.dataSource.transaction(async (manager) => {
      const alert = await this.findForActor(actor, alertId, manager, { lock: true });
      const releasedKeyId = await releaseContainment(manager, alert.id, auditActorOf(actor), 'lifted');
      if (releasedKeyId) {
        await this.audit.record(manager, actor, alert.workspaceId, {
          action: 'alert.lifted',
          targetType: 'alert',
          targetId: alert.id,
          details: { appId: alert.appId, type: alert.type, keyId: releasedKeyId },
        });
      }
      return { alert, releasedKeyId };
    });
    if (releasedKeyId) await this.keyCache.invalidate([releasedKeyId]);
    return toAlert(alert);
  }

  /** Other workspaces' alerts do not exist for the actor (404); other apps' are forbidden (403). */
  private async findForActor(
    actor: Actor,
    alertId: string,
    manager: EntityManager,
    options: { lock?: boolean } = {},
  ): Promise<AlertEntity> {
    return findAppResourceForActor(manager, AlertEntity, actor, { id: alertId }, 'Alert', options);
  }
}
