import { type CreateCustomerRequest, EXTERNAL_ID_PATTERN, type Metadata } from '@keywarden/core';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsMetadata, NestedObject } from '../../common/validators';
import { CustomerPolicyDto } from './customer-policy.dto';

const CUSTOMER_ID_PATTERN = /^cus_[0-9a-z]{26}$/;
const EXTERNAL_ID_MESSAGE = 'must be 1-128 characters of A-Z, a-z, 0-9 and . _ : @ + = -';

/** A customer id (`cus_…`). */
export const IsCustomerId = () =>
  applyDecorators(
    Matches(CUSTOMER_ID_PATTERN, { message: 'customerId must be a customer id (cus_...)' }),
    ApiProperty({ pattern: CUSTOMER_ID_PATTERN.source }),
  );

/** The platform's own id for a customer; documented here as the plugin cannot see through this wrapper. */
export const IsExternalId = () =>
  applyDecorators(
    Matches(EXTERNAL_ID_PATTERN, { message: `externalId ${EXTERNAL_ID_MESSAGE}` }),
    ApiProperty({ pattern: EXTERNAL_ID_PATTERN.source, minLength: 1, maxLength: 128 }),
  );

/**
 * An externalId being given to a customer: not one of the form of Keywarden's own ids,
 * which `:ref` reads as an id (the customer could not be found by it, and it would name
 * another customer).
 */
export const IsNotCustomerIdShaped = () =>
  applyDecorators(
    Matches(/^(?!cus_[0-9a-z]{26}$)/, { message: 'externalId must not have the form of a customer id (cus_ and 26 characters)' }),
    ApiProperty({ not: { pattern: CUSTOMER_ID_PATTERN.source } }),
  );

export class CreateCustomerDto implements CreateCustomerRequest {
  /** The platform's own id for the customer, unique in the workspace. */
  @IsExternalId()
  @IsNotCustomerIdShaped()
  externalId!: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  /** Free-form JSON object, at most 4 KiB. */
  @IsOptional()
  @IsMetadata()
  metadata?: Metadata;

  /** Rate limits, concurrency and daily spend cap shared by all the customer's keys. */
  @IsOptional()
  @NestedObject(() => CustomerPolicyDto)
  policy?: CustomerPolicyDto;
}
