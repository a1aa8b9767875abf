import { OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { UsageQueryDto } from '../../usage/dto/usage-query.dto';

/**
 * The customer's usage, or one of its keys' (`keyId`); grouped by key, model or outcome
 * (not by customer: there is one).
 */
export class PortalUsageQueryDto extends OmitType(UsageQueryDto, ['appId', 'customerId', 'groupBy'] as const) {
  @IsOptional()
  @IsIn(['model', 'outcome', 'key'])
  groupBy?: 'model' | 'outcome' | 'key';
}
