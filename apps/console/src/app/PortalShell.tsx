import type { PortalMe } from '@keywarden/core';
import type { ReactNode } from 'react';
import { AppShell } from '../components/AppShell';
import { ErrorMessage } from '../components/ErrorMessage';
import type { useEndPortalSession } from '../features/portal/api/portal';
import { portalTitle } from '../features/portal/branding';
import { portalPagesOf } from '../features/portal/pages';
import { formatTime } from '../lib/format';

export function PortalShell({ me, signOut, children }: { me: PortalMe; signOut: ReturnType<typeof useEndPortalSession>; children: ReactNode }) {
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
          <button type="button" className="button-secondary" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            Sign out
          </button>
        </>
      }
    >
      <ErrorMessage error={signOut.error} />
      {children}
    </AppShell>
  );
}
