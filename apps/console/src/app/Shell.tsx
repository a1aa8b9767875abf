import type { Me } from '@keywarden/core';
import type { ReactNode } from 'react';
import { AppShell, type NavItem } from '../components/AppShell';
import { ErrorMessage } from '../components/ErrorMessage';
import { useSignOut } from '../features/session/api/session';

const NAV: NavItem[] = [
  { to: '/', label: 'Overview', end: true },
  { to: '/apps', label: 'Apps' },
  { to: '/keys', label: 'Keys' },
  { to: '/customers', label: 'Customers' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/audit', label: 'Audit log' },
  { to: '/members', label: 'Members' },
];

export function Shell({ actor, children }: { actor: Me; children: ReactNode }) {
  const signOut = useSignOut();
  return (
    <AppShell
      brand="Keywarden"
      navLabel="Console"
      nav={NAV}
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
