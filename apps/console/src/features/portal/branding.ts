import type { PortalBranding } from '@keywarden/core';

const DARK_TEXT = '#111827';
const WHITE = '#ffffff';

/** WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((start) => {
    const value = parseInt(hex.slice(start, start + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
}

function contrast(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/**
 * The stylesheet's colour variables for an app's accent colour: text on the accent in white
 * or near-black, whichever reads better, and links in the accent only when it reads on white.
 */
export function accentVariables(accent: string | undefined): Record<string, string> {
  if (!accent || !/^#[0-9a-fA-F]{6}$/.test(accent)) return {};
  const accentLuminance = luminance(accent);
  const onWhite = contrast(accentLuminance, 1);
  const text = onWhite >= contrast(accentLuminance, luminance(DARK_TEXT)) ? WHITE : DARK_TEXT;
  return { '--accent': accent, '--accent-text': text, ...(onWhite >= 4.5 ? { '--link': accent } : {}) };
}

/** The name the portal goes by: the app's display name, else its name. */
export function portalTitle(app: { name: string; portal: PortalBranding | null } | null): string {
  return app?.portal?.displayName ?? app?.name ?? 'Customer portal';
}
