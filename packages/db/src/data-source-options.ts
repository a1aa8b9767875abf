import type { DataSourceOptions } from 'typeorm';
import { AlertEntity } from './entities/alert.entity';
import { ApiKeyEntity } from './entities/api-key.entity';
import { AppEntity } from './entities/app.entity';
import { AuditLogEntity } from './entities/audit-log.entity';
import { CustomerEntity } from './entities/customer.entity';
import { KeySecretEntity } from './entities/key-secret.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { WorkspaceEntity } from './entities/workspace.entity';
import { Foundation1764140000000 } from './migrations/1764140000000-foundation';
import { UsagePipeline1764150000000 } from './migrations/1764150000000-usage-pipeline';
import { WebhookEvents1764155000000 } from './migrations/1764155000000-webhook-events';
import { KeyPolicies1764160000000 } from './migrations/1764160000000-key-policies';
import { Webhooks1764170000000 } from './migrations/1764170000000-webhooks';
import { Alerts1764180000000 } from './migrations/1764180000000-alerts';
import { DeploymentIdentity1764185000000 } from './migrations/1764185000000-deployment-identity';
import { KeySearch1764192000000 } from './migrations/1764192000000-key-search';
import { LeakResponse1764196000000 } from './migrations/1764196000000-leak-response';
import { KeyContainmentIndex1764197000000 } from './migrations/1764197000000-key-containment-index';
import { Customers1764212000000 } from './migrations/1764212000000-customers';
import { CustomerSearch1764213000000 } from './migrations/1764213000000-customer-search';
import { WebhookRedeliveries1764220000000 } from './migrations/1764220000000-webhook-redeliveries';
import { ReportedRequestsPurgeIndex1764240000000 } from './migrations/1764240000000-reported-requests-purge-index';
import { WebhookOlderSecrets1764230000000 } from './migrations/1764230000000-webhook-older-secrets';
import { KeyExpiringAnnouncementsIndex1764250000000 } from './migrations/1764250000000-key-expiring-announcements-index';
import { ProcessedBatchesPurgeIndex1764260000000 } from './migrations/1764260000000-processed-batches-purge-index';

export const ENTITIES = [
  WorkspaceEntity,
  AppEntity,
  ApiKeyEntity,
  KeySecretEntity,
  AuditLogEntity,
  WebhookEndpointEntity,
  AlertEntity,
  CustomerEntity,
];
export const MIGRATIONS = [
  Foundation1764140000000,
  UsagePipeline1764150000000,
  WebhookEvents1764155000000,
  KeyPolicies1764160000000,
  Webhooks1764170000000,
  Alerts1764180000000,
  DeploymentIdentity1764185000000,
  KeySearch1764192000000,
  LeakResponse1764196000000,
  KeyContainmentIndex1764197000000,
  Customers1764212000000,
  CustomerSearch1764213000000,
  WebhookRedeliveries1764220000000,
  WebhookOlderSecrets1764230000000,
  ReportedRequestsPurgeIndex1764240000000,
  KeyExpiringAnnouncementsIndex1764250000000,
  ProcessedBatchesPurgeIndex1764260000000,
];

export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    // Schema changes go through migrations only.
    synchronize: false,
    migrationsRun: false,
    // A database that does not answer a connection attempt fails the request (503) within
    // this time instead of holding it open.
    extra: { max: 10, connectionTimeoutMillis: 5_000 },
  };
}
