import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { MetricsService } from './metrics.service';
import { KeyRequestsController, MetricsController, UsageController } from './usage.controller';
import { RequestMetering } from './request-metering';
import { UsageRecorder } from './usage-recorder.service';
import { UsageService } from './usage.service';

@Module({
  imports: [AppsModule],
  controllers: [UsageController, KeyRequestsController, MetricsController],
  providers: [MetricsService, UsageRecorder, UsageService, RequestMetering],
  exports: [UsageRecorder, MetricsService, UsageService],
})
export class UsageModule {}
