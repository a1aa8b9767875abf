import { Injectable } from '@nestjs/common';
import { effectivePolicy, newId, type Page, type PageQuery, type StoredPolicy } from '@keywarden/core';
import { ApiKeyEntity, AppEntity, KeySecretEntity, type KeyWithSecrets, supersedeSecrets, touchKey } from '@keywarden/db';
import { DataSource, type EntityManager, In } from 'typeorm';
import { limitOf, pageOf } from '../common/pagination';
import { type IssuedSecret, KeyMaterialService } from '../credentials/key-material.service';

export type NewKeyFields = Omit<
  ApiKeyEntity,
  'id' | 'kind' | 'createdAt' | 'updatedAt' | 'lastUsedAt' | 'revokedAt' | 'status' | 'secrets' | 'containment'
>;

/** Storage of keys and their secret versions, shared by app keys and admin keys. */
@Injectable()
export class KeyStore {
  constructor(
    private readonly material: KeyMaterialService,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * One page of keys with their live secrets; `rows` answers up to `limit + 1` of them,
   * newest first (the query modules' key pages).
   */
  async page(query: PageQuery, rows: (limit: number) => Promise<ApiKeyEntity[]>): Promise<Page<KeyWithSecrets>> {
    const limit = limitOf(query);
    const page = pageOf(await rows(limit), limit, (row) => row);
    return { data: await this.withSecrets(this.dataSource.manager, page.data), nextCursor: page.nextCursor };
  }

  async insert(manager: EntityManager, kind: 'admin' | 'app', fields: NewKeyFields): Promise<{ key: KeyWithSecrets; secret: IssuedSecret }> {
    const row = manager.create(ApiKeyEntity, {
      ...fields,
      id: newId(kind === 'app' ? 'key' : 'adminKey'),
      kind,
      status: 'active',
      lastUsedAt: null,
      revokedAt: null,
      containment: null,
    });
    const saved = await manager.save(ApiKeyEntity, row);
    const secret = this.material.issue(fields.environment);
    const secretRow = await this.insertSecret(manager, row.id, secret);
    // Its one secret was just written: not read back.
    const [key] = await this.withGivenSecrets(manager, [saved], new Map([[saved.id, [secretRow]]]));
    return { key, secret };
  }

  /**
   * Rotation: a new current secret; the one it replaces works until `graceDeadline`, and
   * any older one still in its grace stops at `now`.
   */
  async rotate(manager: EntityManager, row: ApiKeyEntity, graceDeadline: Date, now: Date): Promise<IssuedSecret> {
    await supersedeSecrets(manager, row.id, graceDeadline, now);
    const secret = this.material.issue(row.environment);
    await this.insertSecret(manager, row.id, secret);
    // The key shows another prefix and other secrets from now on: it changed.
    row.updatedAt = await touchKey(manager, row.id);
    return secret;
  }

  async liveSecrets(manager: EntityManager, keyIds: string[], now = new Date()): Promise<Map<string, KeySecretEntity[]>> {
    const byKey = new Map<string, KeySecretEntity[]>(keyIds.map((id) => [id, []]));
    if (keyIds.length === 0) return byKey;
    const rows = await manager.find(KeySecretEntity, { where: { keyId: In(keyIds) }, order: { id: 'DESC' } });
    for (const secret of rows) {
      if (secret.expiresAt === null || secret.expiresAt > now) byKey.get(secret.keyId)?.push(secret);
    }
    return byKey;
  }

  /** The keys with their live secrets and the rotation period in force, as the wire mappers need them. */
  async withSecrets(manager: EntityManager, rows: ApiKeyEntity[]): Promise<KeyWithSecrets[]> {
    return this.withGivenSecrets(manager, rows, await this.liveSecrets(manager, rows.map((row) => row.id)));
  }

  private async withGivenSecrets(manager: EntityManager, rows: ApiKeyEntity[], secrets: Map<string, KeySecretEntity[]>): Promise<KeyWithSecrets[]> {
    const appDefaults = await this.appDefaultPolicies(manager, rows);
    return rows.map((row) => ({
      row,
      secrets: secrets.get(row.id) ?? [],
      rotationPeriodDays: effectivePolicy(appDefaults.get(row.appId ?? '') ?? null, row.policy).rotationPeriodDays,
    }));
  }

  /** The default policy of each app the rows belong to (admin keys belong to none). */
  private async appDefaultPolicies(manager: EntityManager, rows: ApiKeyEntity[]): Promise<Map<string, StoredPolicy | null>> {
    const appIds = [...new Set(rows.flatMap((row) => (row.appId === null ? [] : [row.appId])))];
    if (appIds.length === 0) return new Map();
    const apps = await manager.find(AppEntity, { select: { id: true, defaultPolicy: true }, where: { id: In(appIds) } });
    return new Map(apps.map((app) => [app.id, app.defaultPolicy]));
  }

  private async insertSecret(manager: EntityManager, keyId: string, secret: IssuedSecret): Promise<KeySecretEntity> {
    const secretRow = manager.create(KeySecretEntity, {
      id: secret.id,
      keyId,
      hash: secret.hash,
      prefix: secret.prefix,
      expiresAt: null,
    });
    return manager.save(KeySecretEntity, secretRow);
  }
}
