import { EXTERNAL_ID_PATTERN, type Metadata, type UpdateCustomerRequest } from '@keywarden/core';
import { Type } from 'class-transformer';
import { IsString, Length, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { IsMetadata } from '../../common/validators';
import { EXTERNAL_ID_MESSAGE } from './create-customer.dto';
import { CustomerPolicyDto } from './customer-policy.dto';

const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;
const isSet = (_dto: object, value: unknown): boolean => value !== undefined && value !== null;

export class UpdateCustomerDto implements UpdateCustomerRequest {
  @ValidateIf(isPresent)
  @Matches(EXTERNAL_ID_PATTERN, { message: `externalId ${EXTERNAL_ID_MESSAGE}` })
  externalId?: string;

  /** `null` clears the name. */
  @ValidateIf(isSet)
  @IsString()
  @Length(1, 200)
  name?: string | null;

  @ValidateIf(isPresent)
  @IsMetadata()
  metadata?: Metadata;

  /** Replaces the shared policy; `null` clears it. */
  @ValidateIf(isSet)
  @ValidateNested()
  @Type(() => CustomerPolicyDto)
  policy?: CustomerPolicyDto | null;
}
