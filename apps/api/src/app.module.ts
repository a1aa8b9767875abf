import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from '@keywarden/db';
import { HealthModule, RedisModule } from '@keywarden/platform';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AdminKeysModule } from './admin-keys/admin-keys.module';
import { AlertsModule } from './alerts/alerts.module';
import { AppsModule } from './apps/apps.module';
import { AuditModule } from './audit/audit.module';
import { BulkModule } from './bulk/bulk.module';
import { AuthModule } from './auth/auth.module';
import { ScopesModule } from './auth/scopes.module';
import { API_CONFIG, type ApiConfig } from './config/api-config';
import { CredentialsModule } from './credentials/credentials.module';
import { CustomersModule } from './customers/customers.module';
import { KeysModule } from './keys/keys.module';
import { LeaksModule } from './leaks/leaks.module';
import { MeController } from './me/me.controller';
import { MetricsModule } from './metrics/metrics.module';
import { PolicyModule } from './policy/policy.module';
import { PortalModule } from './portal/portal.module';
import { SessionsModule } from './sessions/sessions.module';
import { ConsoleSessionsModule } from './console-sessions/console-sessions.module';
import { UsageModule } from './usage/usage.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forConfig(config: ApiConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        // The HTTP server's pino instance; no per-request middleware (it cost ~10% of
        // verify's CPU): Fastify's request logger already carries the request id.
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] }),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl), retryAttempts: 2, retryDelay: 1_000 }),
        RedisModule.forRoot(config.redisUrl),
        HealthModule,
        CredentialsModule,
        // Global guards run in the order their modules are first imported: authenticate
        // the caller, then its key's policy (IP allowlist, rate limits: also on a 403 for a
        // missing scope), then its scopes. Keep these three first and in this order.
        AuthModule,
        PolicyModule,
        ScopesModule,
        SessionsModule,
        ConsoleSessionsModule,
        MetricsModule,
        AuditModule,
        AppsModule,
        CustomersModule,
        KeysModule,
        AdminKeysModule,
        UsageModule,
        WebhooksModule,
        AlertsModule,
        PortalModule,
        LeaksModule,
        BulkModule,
      ],
      controllers: [MeController],
      providers: [{ provide: API_CONFIG, useValue: config }],
      exports: [API_CONFIG],
    };
  }
}
