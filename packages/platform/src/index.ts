export * from './access.decorators';
export * from './health.module';
export * from './logger';
export * from './redis.module';
export * from './redis-health.indicator';
export * from './fastify-adapter';
export * from './infra-config';
export * from './queue-namespace';
