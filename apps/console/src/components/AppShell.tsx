import { type ReactNode, useEffect, useId, useState } from 'react';
import { NavLink, useLocation } from 'react-router';

export interface NavItem {
  to: string;
  label: string;
  end?: boolean;
}

interface AppShellProps {
  /** The name (and logo) at the start of the top bar. */
  brand: ReactNode;
  /** The navigation's accessible name. */
  navLabel: string;
  nav: NavItem[];
  /** Who is signed in, and the way out, at the end of the top bar. */
  actor: ReactNode;
  children: ReactNode;
}

/**
 * The top bar with the pages and the main area, for the console and the portal alike. At
 * phone width the pages fold behind a menu button instead of running off the screen.
 */
export function AppShell({ brand, navLabel, nav, actor, children }: AppShellProps) {
  const navId = useId();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  // A page chosen from the folded menu closes it.
  useEffect(() => setMenuOpen(false), [location.pathname]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">{brand}</span>
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls={navId}
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <nav id={navId} aria-label={navLabel} className={menuOpen ? 'nav nav-open' : 'nav'}>
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="actor">{actor}</div>
      </header>
      <main id="main" className="content">
        {children}
      </main>
    </div>
  );
}
