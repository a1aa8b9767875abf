import type { PortalExchangeRequest } from '@keywarden/core';
import { IsString, Length } from 'class-validator';

export class PortalExchangeDto implements PortalExchangeRequest {
  /** The `token` of the link's fragment. */
  @IsString()
  @Length(1, 200)
  token!: string;
}
