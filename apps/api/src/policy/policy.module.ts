import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MetricsModule } from '../metrics/metrics.module';
import { KeyPolicyGuard } from './key-policy.guard';
import { LeaseService } from './lease.service';
import { LeasesController } from './leases.controller';
import { PolicyService } from './policy.service';
import { RateLimiterService } from './rate-limiter.service';
import { SpendService } from './spend.service';

/**
 * Key policies: rate limits, concurrency leases, spend caps, IP and model checks. Registers
 * the calling key's policy as a global guard; it runs between authentication and the
 * scopes check (see AppModule for the order).
 */
@Module({
  imports: [MetricsModule],
  controllers: [LeasesController],
  providers: [RateLimiterService, LeaseService, SpendService, PolicyService, KeyPolicyGuard, { provide: APP_GUARD, useExisting: KeyPolicyGuard }],
  exports: [PolicyService, SpendService],
})
export class PolicyModule {}
