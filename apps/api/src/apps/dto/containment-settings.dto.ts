import { type AppContainmentUpdate, CONTAINMENT_ACTIONS, type ContainmentAction } from '@keywarden/core';
import { IsIn, ValidateIf } from 'class-validator';

const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;
/** Spikes and off-hours traffic name no model: there is none to block. */
const VOLUME_ACTIONS = CONTAINMENT_ACTIONS.filter((action) => action !== 'block_model');

/** Containment per detector alert type; omitted types keep their value. */
export class ContainmentSettingsDto implements AppContainmentUpdate {
  @ValidateIf(isPresent)
  @IsIn(VOLUME_ACTIONS)
  spike?: ContainmentAction;

  @ValidateIf(isPresent)
  @IsIn(VOLUME_ACTIONS)
  off_hours?: ContainmentAction;

  @ValidateIf(isPresent)
  @IsIn(CONTAINMENT_ACTIONS)
  unusual_model?: ContainmentAction;
}
