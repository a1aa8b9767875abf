import type { PortalMe } from '@keywarden/core';
import { useEffect } from 'react';
import { BrowserRouter } from 'react-router';
import { Loading } from '../components/Loading';
import { useEndPortalSession, usePortalSession } from '../features/portal/api/portal';
import { accentVariables, portalTitle } from '../features/portal/branding';
import { PortalUnavailable } from '../features/portal/components/PortalUnavailable';
import { PortalRoutes } from '../routes/PortalRoutes';
import { PortalShell } from './PortalShell';

const APP_ID = /^app_[0-9a-z]{26}$/;

/** `/portal/<app id>` when the page was opened for one app (the server frames it for that app), else `/portal`. */
function portalBase(pathname: string): { basename: string; appId: string | null } {
  const segment = pathname.split('/')[2];
  return APP_ID.test(segment ?? '') ? { basename: `/portal/${segment}`, appId: segment } : { basename: '/portal', appId: null };
}

export function PortalApp() {
  const session = usePortalSession();
  const signOut = useEndPortalSession();
  if (session.isPending) return <Loading label="Opening your portal…" />;
  if (session.isError) {
    return (
      <PortalUnavailable title="This portal link cannot be used" error={session.error}>
        <p>
          A portal link opens the portal once, within five minutes of being made. Go back to the page that sent you here and open the portal
          again to get a new link.
        </p>
      </PortalUnavailable>
    );
  }
  if (!session.data && signOut.isSuccess) {
    return (
      <PortalUnavailable title="You have signed out">
        <p>Your portal session has ended. To come back, open the portal again from the page that sent you here.</p>
      </PortalUnavailable>
    );
  }
  if (!session.data) {
    return (
      <PortalUnavailable title="Your portal session has ended">
        <p>Sessions end after a while without use, and at the latest when they expire. Open the portal again from the page that sent you here.</p>
      </PortalUnavailable>
    );
  }
  let base = portalBase(window.location.pathname);
  const appId = session.data.app?.id ?? null;
  if (base.appId === null && appId !== null) {
    // Opened from the plain link: move to the app's path, so a reload carries its frame-ancestors.
    const { pathname, search } = window.location;
    window.history.replaceState(null, '', `/portal/${appId}${pathname.slice('/portal'.length)}${search}`);
    base = { basename: `/portal/${appId}`, appId };
  }
  if (base.appId !== null && base.appId !== appId) {
    return (
      <PortalUnavailable title="This page belongs to another portal">
        <p>Your session is for another app. Open the portal again from the page that sent you here.</p>
      </PortalUnavailable>
    );
  }
  return <BrandedPortal me={session.data} basename={base.basename} signOut={signOut} />;
}

function BrandedPortal({ me, basename, signOut }: { me: PortalMe; basename: string; signOut: ReturnType<typeof useEndPortalSession> }) {
  useEffect(() => {
    const variables = accentVariables(me.app?.portal?.accentColor);
    for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
    document.title = portalTitle(me.app);
  }, [me.app]);
  return (
    <BrowserRouter basename={basename}>
      <PortalShell me={me} signOut={signOut}>
        <PortalRoutes me={me} />
      </PortalShell>
    </BrowserRouter>
  );
}
