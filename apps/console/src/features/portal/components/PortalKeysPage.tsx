import type { PortalMe } from '@keywarden/core';
import { useState } from 'react';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { KeysTable } from '../../../components/keys/KeysTable';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { usePortalKeys } from '../api/portal';
import { portalTitle } from '../branding';
import { CreatePortalKeyDialog } from './CreatePortalKeyDialog';

export default function PortalKeysPage({ me }: { me: PortalMe }) {
  const pages = useCursorPages('portal-keys');
  const keys = usePortalKeys(pages.cursor);
  const [creating, setCreating] = useState(false);
  const canCreate = me.permissions.includes('keys.create');
  return (
    <>
      <PageHeader title="API keys" description={`Your keys${me.app ? ` for ${portalTitle(me.app)}` : ', in every app'}. A secret is shown once, when the key is created or rotated.`}>
        {canCreate && (
          <button type="button" className="button-primary" onClick={() => setCreating(true)}>
            Create key
          </button>
        )}
      </PageHeader>
      {keys.isPending && <Loading />}
      <ErrorMessage error={keys.error} />
      {keys.data && keys.data.data.length === 0 && (
        <EmptyState title="No keys yet">
          {canCreate ? 'Create a key to start calling the API. Copy its secret when it is shown: it is not shown again.' : 'Keys issued to you appear here.'}
        </EmptyState>
      )}
      {keys.data && keys.data.data.length > 0 && <KeysTable keys={keys.data.data} caption="Your API keys" />}
      <Pager label="Keys" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={keys.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
      {canCreate && <CreatePortalKeyDialog sessionApp={me.app} allowedScopes={me.allowedScopes} open={creating} onClose={() => setCreating(false)} />}
    </>
  );
}
