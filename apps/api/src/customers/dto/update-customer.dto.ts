import type { Metadata, UpdateCustomerRequest } from '@keywarden/core';
import { IsString, Length, ValidateIf } from 'class-validator';
import { IsMetadata, NestedObject } from '../../common/validators';
import { IsExternalId, IsNotCustomerIdShaped } from './create-customer.dto';
import { CustomerPolicyDto } from './customer-policy.dto';

const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;
const isSet = (_dto: object, value: unknown): boolean => value !== undefined && value !== null;

export class UpdateCustomerDto implements UpdateCustomerRequest {
  @ValidateIf(isPresent)
  @IsExternalId()
  @IsNotCustomerIdShaped()
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
  @NestedObject(() => CustomerPolicyDto)
  policy?: CustomerPolicyDto | null;
}
