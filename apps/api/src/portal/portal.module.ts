import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { AppsModule } from '../apps/apps.module';
import { CustomersModule } from '../customers/customers.module';
import { KeysModule } from '../keys/keys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsageModule } from '../usage/usage.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { PortalController } from './portal.controller';
import { PortalService } from './portal.service';

/** The customer portal: link → cookie session → the customer's own keys, usage, alerts and webhooks. */
@Module({
  imports: [SessionsModule, CustomersModule, AppsModule, KeysModule, UsageModule, AlertsModule, WebhooksModule],
  controllers: [PortalController],
  providers: [PortalService],
})
export class PortalModule {}
