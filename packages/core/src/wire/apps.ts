import type { AppDetectionSettings, AppDetectionSettingsUpdate } from './alerts';
import type { PageQuery } from './common';
import type { AppContainment, AppContainmentUpdate } from './containment';
import type { LeakResponse } from './leaks';
import type { KeyPolicy } from './policy';
import type { PortalBranding } from './portal';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Working hours in the app's timezone; `start`/`end` are `HH:MM`, end exclusive. */
export interface BusinessHours {
  days: Weekday[];
  start: string;
  end: string;
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '08:00',
  end: '19:00',
};
export const DEFAULT_ENVIRONMENTS = ['live', 'test'];

export interface App {
  id: string;
  name: string;
  /** IANA zone, e.g. `Europe/Berlin`. */
  timezone: string;
  businessHours: BusinessHours;
  /** Scopes this app's keys may carry; empty means any non-management scope. */
  scopeCatalog: string[];
  /** Environment words its keys may use (`kw_{env}_...`). */
  environments: string[];
  /** Policy every key of the app starts from; a key's own policy overrides it field by field. */
  defaultPolicy: KeyPolicy | null;
  /** Anomaly detector settings (defaults where never set). */
  detection: AppDetectionSettings;
  /** How the app presents itself in the customer portal; null when not set. */
  portal: PortalBranding | null;
  /** What a confirmed leak report does to the key (default `revoke`). */
  leakResponse: LeakResponse;
  /** Containment per detector alert type (default `none` for each). */
  containment: AppContainment;
  createdAt: string;
  updatedAt: string;
}

export interface CreateAppRequest {
  name: string;
  timezone?: string;
  businessHours?: BusinessHours;
  scopeCatalog?: string[];
  environments?: string[];
  defaultPolicy?: KeyPolicy;
  /** Only the given fields change; the others keep their value. */
  detection?: AppDetectionSettingsUpdate;
  portal?: PortalBranding;
  leakResponse?: LeakResponse;
  /** Only the given alert types change. */
  containment?: AppContainmentUpdate;
}

/** `defaultPolicy: null` clears the default policy, `portal: null` the branding. */
export type UpdateAppRequest = Partial<Omit<CreateAppRequest, 'defaultPolicy' | 'portal'>> & {
  defaultPolicy?: KeyPolicy | null;
  portal?: PortalBranding | null;
};

export type ListAppsQuery = PageQuery;
