import type { Me } from '@keywarden/core';
import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { ErrorMessage } from '../components/ErrorMessage';
import { useSignOut } from '../features/session/api/session';

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/apps', label: 'Apps' },
  { to: '/keys', label: 'Keys' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/audit', label: 'Audit log' },
  { to: '/members', label: 'Members' },
];

export function Shell({ actor, children }: { actor: Me; children: ReactNode }) {
  const signOut = useSignOut();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Keywarden</span>
        <nav aria-label="Console" className="nav">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="actor">
          <span className="actor-name" title={actor.prefix}>
            {actor.name}
          </span>
          <button type="button" className="button-secondary" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            Sign out
          </button>
        </div>
      </header>
      <ErrorMessage error={signOut.error} />
      <main id="main" className="content">
        {children}
      </main>
    </div>
  );
}
