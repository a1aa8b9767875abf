import { CUSTOMER_STATUSES, type CustomerStatus, type ListCustomersQuery } from '@keywarden/core';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { IsExternalId } from './create-customer.dto';

export class ListCustomersQueryDto extends PageQueryDto implements ListCustomersQuery {
  @IsOptional()
  @IsIn(CUSTOMER_STATUSES)
  status?: CustomerStatus;

  @IsOptional()
  @IsExternalId()
  externalId?: string;
}
