import {
  ALERT_STATUSES,
  type AlertStatus,
  ALERT_TYPES,
  type AlertType,
  type ListAlertsQuery,
} from '@keywarden/core';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { IsCustomerId } from '../../customers/dto/create-customer.dto';
import { pageQueryOf } from '../../common/page-query.dto';
import { IsReadableInstant } from '../../common/validators';
import type { ExactContract } from '../../common/exact-contract';

export class ListAlertsQueryDto extends pageQueryOf('alert') implements ExactContract<ListAlertsQueryDto, ListAlertsQuery> {
  @IsOptional()
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId?: string;

  @IsOptional()
  @Matches(/^key_[0-9a-z]{26}$/, { message: 'keyId must be a key id (key_...)' })
  keyId?: string;

  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  @IsOptional()
  @IsIn(ALERT_TYPES)
  type?: AlertType;

  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;

  /** Alerts first detected at or after this instant. */
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsReadableInstant()
  from?: string;

  /** Alerts first detected before this instant. */
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsReadableInstant()
  to?: string;
}
