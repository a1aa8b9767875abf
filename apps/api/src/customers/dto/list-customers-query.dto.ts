import { CUSTOMER_STATUSES, type CustomerStatus, type ListCustomersQuery, MAX_CUSTOMER_SEARCH_LENGTH } from '@keywarden/core';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { pageQueryOf } from '../../common/page-query.dto';
import { IsExternalId } from './create-customer.dto';

export class ListCustomersQueryDto extends pageQueryOf('customer') implements ListCustomersQuery {
  @IsOptional()
  @IsIn(CUSTOMER_STATUSES)
  status?: CustomerStatus;

  @IsOptional()
  @IsExternalId()
  externalId?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_CUSTOMER_SEARCH_LENGTH)
  search?: string;
}
