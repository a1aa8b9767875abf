import { newId, ROLE_SCOPES, ADMIN_KEY_ENVIRONMENT } from '@keywarden/core';
import { WorkspaceEntity } from '@keywarden/db';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { KeyStore } from '../keys/key-store.service';

export interface BootstrappedWorkspace {
  workspaceId: string;
  keyId: string;
  /** The owner key, to be printed once and never stored. */
  secret: string;
  prefix: string;
}

/** A new workspace with its first owner admin key. */
export async function bootstrapWorkspace(
  dataSource: DataSource,
  store: KeyStore,
  audit: AuditService,
  name: string,
): Promise<BootstrappedWorkspace> {
  return dataSource.transaction(async (manager) => {
    const workspaceId = newId('workspace');
    await manager.insert(WorkspaceEntity, { id: workspaceId, name });
    const { key, secret } = await store.insert(manager, 'admin', {
      workspaceId,
      appId: null,
      appIds: null,
      role: 'owner',
      environment: ADMIN_KEY_ENVIRONMENT,
      name: 'bootstrap owner key',
      description: null,
      group: null,
      scopes: [...ROLE_SCOPES.owner],
      metadata: {},
      expiresAt: null,
      policy: null,
      customerId: null,
      createdBy: null,
      canary: false,
    });
    await audit.record(manager, null, workspaceId, {
      action: 'admin_key.created',
      targetType: 'admin_key',
      targetId: key.row.id,
      details: { name: key.row.name, role: 'owner', via: 'bootstrap', prefix: secret.prefix },
    });
    return { workspaceId, keyId: key.row.id, secret: secret.key, prefix: secret.prefix };
  });
}
