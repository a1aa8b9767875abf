import type { CreateConsoleSessionRequest } from '@keywarden/core';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class CreateConsoleSessionDto implements CreateConsoleSessionRequest {
  /** The admin key, exchanged once for the session; never stored by the browser. */
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  key!: string;
}
