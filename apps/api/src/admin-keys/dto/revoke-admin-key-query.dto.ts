import { IsIn, IsOptional } from 'class-validator';

export class RevokeAdminKeyQueryDto {
  /** Offboarding: also revoke or disable every app key this admin key created. */
  @IsOptional()
  @IsIn(['revoke', 'disable'])
  cascade?: 'revoke' | 'disable';
}
