import { CUSTOMER_STATUSES, type CustomerStatus, EXTERNAL_ID_PATTERN, type ListCustomersQuery } from '@keywarden/core';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { EXTERNAL_ID_MESSAGE } from './create-customer.dto';

export class ListCustomersQueryDto extends PageQueryDto implements ListCustomersQuery {
  @IsOptional()
  @IsIn(CUSTOMER_STATUSES)
  status?: CustomerStatus;

  @IsOptional()
  @Matches(EXTERNAL_ID_PATTERN, { message: `externalId ${EXTERNAL_ID_MESSAGE}` })
  externalId?: string;
}
