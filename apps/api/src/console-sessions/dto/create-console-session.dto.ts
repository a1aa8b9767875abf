import type { CreateConsoleSessionRequest } from '@keywarden/core';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { ExactContract } from '../../common/exact-contract';

export class CreateConsoleSessionDto implements ExactContract<CreateConsoleSessionDto, CreateConsoleSessionRequest> {
  /** The admin key, exchanged once for the session; never stored by the browser. */
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  key!: string;
}
