import type { PortalMe, PortalPermission } from '@keywarden/core';
import type { NavItem } from '../../components/AppShell';

/** The portal's pages, each shown only when the session's permissions open it. */
const PORTAL_PAGES: Array<NavItem & { permission: PortalPermission }> = [
  { to: '/keys', label: 'API keys', permission: 'keys.read' },
  { to: '/usage', label: 'Usage', permission: 'usage.read' },
  { to: '/alerts', label: 'Alerts', permission: 'alerts.read' },
  { to: '/webhooks', label: 'Webhooks', permission: 'webhooks.manage' },
];

export function portalPagesOf(me: PortalMe): NavItem[] {
  return PORTAL_PAGES.filter((page) => me.permissions.includes(page.permission));
}
