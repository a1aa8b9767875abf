import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { BulkKeysResponse } from '@keywarden/core';
import { RequireScopes } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import { ApiError } from '../common/api-error';
import type { Actor } from '../credentials/principal';
import { BulkKeysService } from './bulk-keys.service';
import { BulkKeysDto } from './dto/bulk-keys.dto';
import { WithoutRequestDeadline } from '../common/request-deadline';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

@ApiTags('keys')
@Controller('v1/keys')
export class BulkKeysController {
  constructor(private readonly bulk: BulkKeysService) {}

  /**
   * One action (revoke, disable, enable, rotate, expire) on every key a filter matches, in
   * chunks; `dryRun` counts and lists them first. `revoke` also needs keys.revoke. Send an
   * `Idempotency-Key` header to retry safely. Every action, in a dry run too, lists the
   * matched keys it leaves as they are under `skipped` with the reason: what the single
   * operation refuses (a revoked key; for rotate, one past its expiresAt too) or a key
   * already as the action would leave it. An appId, customerId or createdBy naming what
   * the caller cannot see is 404.
   */
  @Post('bulk')
  @WithoutRequestDeadline()
  @HttpCode(200)
  @RequireScopes('keys.write')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key and body gets the first answer' })
  run(
    @CurrentActor() actor: Actor,
    @Body() dto: BulkKeysDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<BulkKeysResponse> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw ApiError.validation('Idempotency-Key', 'must be 1-255 printable ASCII characters');
    }
    return this.bulk.run(actor, dto, { idempotencyKey });
  }
}
