import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { CustomersModule } from '../customers/customers.module';
import { WebhookSecretBox } from './webhook-secret-box.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [AppsModule, CustomersModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookSecretBox],
  exports: [WebhooksService],
})
export class WebhooksModule {}
