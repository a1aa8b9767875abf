export * from './entities/api-key.entity';
export * from './entities/app.entity';
export * from './entities/audit-log.entity';
export * from './entities/key-secret.entity';
export * from './entities/workspace.entity';
export * from './data-source-options';
export * from './infra-config';
export * from './webhook-events';
