import { type CreateAppRequest, LEAK_RESPONSES, type LeakResponse } from '@keywarden/core';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  IsTimeZone,
  Length,
  ValidateIf,
} from 'class-validator';
import { IsEnvironmentName, IsScopeList, NestedObject } from '../../common/validators';
import { KeyPolicyDto } from '../../policy/dto/key-policy.dto';
import { BusinessHoursDto } from './business-hours.dto';
import { ContainmentSettingsDto } from './containment-settings.dto';
import { DetectionSettingsDto } from './detection-settings.dto';
import type { ExactContract } from '../../common/exact-contract';
import { PortalBrandingDto } from './portal-branding.dto';

/** Optional fields may be left out, but not sent as null (none of them is nullable). */
const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;

export class CreateAppDto implements ExactContract<CreateAppDto, CreateAppRequest> {
  @IsString()
  @Length(1, 100)
  name!: string;

  /** IANA timezone used for business hours and detection baselines (default UTC). */
  @ValidateIf(isPresent)
  @IsTimeZone()
  timezone?: string;

  /** Default Mon–Fri 08:00–19:00. */
  @ValidateIf(isPresent)
  @NestedObject(() => BusinessHoursDto)
  businessHours?: BusinessHoursDto;

  /** Scopes this app's keys may carry; empty = any non-management scope. */
  @ValidateIf(isPresent)
  @IsScopeList({ maxItems: 200, appScopesOnly: true })
  scopeCatalog?: string[];

  /** Key environments (default ["live","test"]). */
  @ValidateIf(isPresent)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsEnvironmentName({ each: true })
  environments?: string[];

  /** Policy every key of the app starts from; a key's own policy overrides it field by field. */
  @ValidateIf(isPresent)
  @NestedObject(() => KeyPolicyDto)
  defaultPolicy?: KeyPolicyDto;
  /** Anomaly detector settings; omitted fields take the defaults. */
  @ValidateIf(isPresent)
  @NestedObject(() => DetectionSettingsDto)
  detection?: DetectionSettingsDto;

  /** Customer portal branding: display name, logo, accent colour, support URL, embed origins. */
  @ValidateIf(isPresent)
  @NestedObject(() => PortalBrandingDto)
  portal?: PortalBrandingDto;
  /** What a confirmed leak report does to the key: revoke (default), disable or notify. */
  @ValidateIf(isPresent)
  @IsIn(LEAK_RESPONSES)
  leakResponse?: LeakResponse;

  /** Containment per detector alert type: none (default), throttle, block_model (unusual_model only), disable. */
  @ValidateIf(isPresent)
  @NestedObject(() => ContainmentSettingsDto)
  containment?: ContainmentSettingsDto;
}
