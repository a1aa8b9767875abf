import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { WebhookSecretBox } from './webhook-secret-box.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [AppsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookSecretBox],
})
export class WebhooksModule {}
