import { hasScope, type Me } from '@keywarden/core';
import type { ReactNode } from 'react';
import { AppShell, type NavItem } from '../components/AppShell';
import { ErrorMessage } from '../components/ErrorMessage';
import { useSignOut } from '../features/session/api/session';

/** Each page with the scope its list needs: a page the signed-in key may not read is not offered. */
const NAV: (NavItem & { scope?: string })[] = [
  { to: '/', label: 'Overview', end: true },
  { to: '/apps', label: 'Apps', scope: 'apps.read' },
  { to: '/keys', label: 'Keys', scope: 'keys.read' },
  { to: '/customers', label: 'Customers', scope: 'customers.read' },
  { to: '/alerts', label: 'Alerts', scope: 'alerts.read' },
  { to: '/webhooks', label: 'Webhooks', scope: 'webhooks.read' },
  { to: '/audit', label: 'Audit log', scope: 'audit.read' },
  { to: '/members', label: 'Members', scope: 'keys.read' },
];

export function Shell({ actor, children }: { actor: Me; children: ReactNode }) {
  const signOut = useSignOut();
  return (
    <AppShell
      brand="Keywarden"
      navLabel="Console"
      nav={NAV.filter((item) => item.scope === undefined || hasScope(actor.scopes, item.scope))}
      actor={
        <>
          <span className="actor-name" title={actor.prefix}>
            {actor.name}
          </span>
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
