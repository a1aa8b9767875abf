import type { PortalBranding } from '@keywarden/core';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, Length, Matches, ValidateBy, ValidateIf } from 'class-validator';

const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;

function isHttpsUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2048) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/**
 * `https://host[:port]`, exactly as a browser writes an origin (no path, no trailing slash).
 * No `*`: URL parsing takes `https://*.example.com`, which the frame-ancestors rule would
 * read as every subdomain.
 */
function isHttpsOrigin(value: unknown): boolean {
  if (typeof value !== 'string' || !isHttpsUrl(value)) return false;
  const url = new URL(value);
  return url.origin === value && !url.hostname.includes('*');
}

const IsHttpsUrl = () =>
  ValidateBy({ name: 'isHttpsUrl', validator: { validate: isHttpsUrl, defaultMessage: () => 'must be an https URL of at most 2048 characters' } });

/** How the app presents itself in the customer portal. */
export class PortalBrandingDto implements PortalBranding {
  @ValidateIf(isPresent)
  @IsString()
  @Length(1, 100)
  displayName?: string;

  @ValidateIf(isPresent)
  @IsHttpsUrl()
  logoUrl?: string;

  /** `#rrggbb`. */
  @ValidateIf(isPresent)
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'accentColor must be a colour like #1a2b3c' })
  accentColor?: string;

  @ValidateIf(isPresent)
  @IsHttpsUrl()
  supportUrl?: string;

  /** Origins allowed to show the portal in a frame, e.g. `https://app.example.com`. */
  @ValidateIf(isPresent)
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @ValidateBy(
    { name: 'isHttpsOrigin', validator: { validate: isHttpsOrigin, defaultMessage: () => 'must be origins like https://app.example.com (no path)' } },
    { each: true },
  )
  allowedEmbedOrigins?: string[];
}
