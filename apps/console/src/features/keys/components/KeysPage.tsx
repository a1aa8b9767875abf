import { KEY_STATUSES, type KeyStatus } from '@keywarden/core';
import { useEffect, useState } from 'react';
import { AppSelect } from '../../../components/AppSelect';
import { KeysTable } from '../../../components/keys/KeysTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { type KeyFilters, useKeysPage } from '../api/keys';
import { CreateKeyDialog } from './CreateKeyDialog';
import { SelectField } from '../../../components/SelectField';
import { useUrlFilters } from '../../../lib/use-url-filters';
import { ScopedButton } from '../../../components/ScopedButton';

/** A whole key pasted into the search box is looked up by its display prefix: the secret never leaves the page. */
const WHOLE_KEY = /^([a-z]{2,8}_[a-z0-9]{1,16}_[0-9A-Za-z]{4})[0-9A-Za-z]{32}$/;

function searchTermOf(text: string): string {
  const trimmed = text.trim();
  return WHOLE_KEY.exec(trimmed)?.[1] ?? trimmed;
}

function filtersOf(params: URLSearchParams): KeyFilters {
  return {
    appId: params.get('appId') ?? '',
    search: params.get('search') ?? '',
    status: (params.get('status') ?? '') as KeyStatus | '',
    environment: params.get('environment') ?? '',
    group: params.get('group') ?? '',
  };
}

export default function KeysPage() {
  const { params, setFilter } = useUrlFilters();
  const filters = filtersOf(params);
  const [searchText, setSearchText] = useState(filters.search);
  const [creating, setCreating] = useState(false);
  const pages = useCursorPages(JSON.stringify(filters));
  const keys = useKeysPage(filters, pages.cursor);
  // Search as one types, once the typing pauses.
  useEffect(() => {
    const term = searchTermOf(searchText);
    if (term === filters.search) return;
    const timer = setTimeout(() => setFilter('search', term), 300);
    return () => clearTimeout(timer);
  });
  const filtered = Object.values(filters).some(Boolean);
  return (
    <>
      <PageHeader title="Keys" description="Keys your customers call your API with. Search runs on the server, across every key.">
        <ScopedButton scope="keys.write" className="button-primary" onClick={() => setCreating(true)}>
          Create key
        </ScopedButton>
      </PageHeader>
      <div role="search" className="filters" aria-label="Filter keys">
        <label className="field field-inline field-grow">
          <span>Search</span>
          <input type="search" placeholder="Name or prefix (kw_live_AbCd)" value={searchText} onChange={(event) => setSearchText(event.target.value)} />
        </label>
        <AppSelect value={filters.appId} onChange={(appId) => setFilter('appId', appId)} allowAll />
        <SelectField label="Status" inline value={filters.status} onChange={(event) => setFilter('status', event.target.value)}>
            <option value="">Any</option>
            {KEY_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </SelectField>
        <label className="field field-inline">
          <span>Environment</span>
          <input value={filters.environment} onChange={(event) => setFilter('environment', event.target.value.trim())} size={8} />
        </label>
        <label className="field field-inline">
          <span>Group</span>
          <input value={filters.group} onChange={(event) => setFilter('group', event.target.value.trim())} size={10} />
        </label>
      </div>
      {keys.isPending && <Loading />}
      <ErrorMessage error={keys.error} />
      {keys.data && keys.data.data.length === 0 && (
        <EmptyState title={filtered ? 'No key matches these filters' : 'No keys yet'}>
          {filtered ? 'Clear a filter or search for part of the name.' : 'Create a key for one of your customers: its secret is shown once, then only its prefix.'}
        </EmptyState>
      )}
      {keys.data && keys.data.data.length > 0 && <KeysTable keys={keys.data.data} />}
      <Pager label="Keys" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={keys.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
      <CreateKeyDialog open={creating} onClose={() => setCreating(false)} initialAppId={filters.appId} />
    </>
  );
}
