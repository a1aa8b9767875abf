import type { PortalMe } from '@keywarden/core';
import type { ReactNode } from 'react';
import { AppShell } from '../components/AppShell';
import { portalTitle } from '../features/portal/branding';
import { portalPagesOf } from '../features/portal/pages';
import { formatTime } from '../lib/format';

export function PortalShell({ me, children }: { me: PortalMe; children: ReactNode }) {
  const branding = me.app?.portal;
  return (
    <AppShell
      brand={
        <>
          {branding?.logoUrl && <img className="brand-logo" src={branding.logoUrl} alt="" />}
          <span className="brand-name">{portalTitle(me.app)}</span>
        </>
      }
      navLabel="Portal"
      nav={portalPagesOf(me)}
      actor={
        <>
          <span className="actor-name" title={`Session ends at ${formatTime(me.expiresAt)}`}>
            {me.customer.name ?? me.customer.externalId}
          </span>
          {branding?.supportUrl && (
            <a className="topbar-link" href={branding.supportUrl} target="_blank" rel="noreferrer noopener">
              Help
            </a>
          )}
        </>
      }
    >
      {children}
    </AppShell>
  );
}
