import { Global, Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module';
import { KeyPolicyGuard } from './key-policy.guard';
import { LeaseService } from './lease.service';
import { LeasesController } from './leases.controller';
import { PolicyService } from './policy.service';
import { RateLimiterService } from './rate-limiter.service';
import { SpendService } from './spend.service';

/** Key policies: rate limits, concurrency leases, spend caps, IP and model checks. */
@Global()
@Module({
  imports: [UsageModule],
  controllers: [LeasesController],
  providers: [RateLimiterService, LeaseService, SpendService, PolicyService, KeyPolicyGuard],
  exports: [PolicyService, SpendService, KeyPolicyGuard],
})
export class PolicyModule {}
