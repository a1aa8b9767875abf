import type { ReportLeakFields } from '@keywarden/core';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { ApiExactlyOneOf, OmittableNotNull } from '../../common/validators';

@ApiExactlyOneOf('key', 'keyId')
export class ReportLeakDto implements ReportLeakFields {
  /** The leaked key itself. */
  @OmittableNotNull()
  @IsString()
  @Length(1, 512)
  key?: string;

  @OmittableNotNull()
  @Matches(/^key_[0-9a-z]{26}$/, { message: 'keyId must be a key id (key_...)' })
  keyId?: string;

  /** Where it was found, e.g. "pastebin", "support ticket". */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  source?: string;

  @IsOptional()
  @IsString()
  @Length(1, 2048)
  url?: string;
}
