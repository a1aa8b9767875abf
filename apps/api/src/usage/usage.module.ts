import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { MetricsModule } from '../metrics/metrics.module';
import { PolicyModule } from '../policy/policy.module';
import { KeyRequestsController, UsageController } from './usage.controller';
import { RequestMetering } from './request-metering';
import { UsageRecorder } from './usage-recorder.service';
import { UsageService } from './usage.service';

@Module({
  imports: [AppsModule, MetricsModule, PolicyModule],
  controllers: [UsageController, KeyRequestsController],
  providers: [UsageRecorder, UsageService, RequestMetering],
  exports: [UsageRecorder, UsageService],
})
export class UsageModule {}
