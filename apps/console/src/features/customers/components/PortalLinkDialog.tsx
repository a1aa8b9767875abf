import { type Customer, PORTAL_PERMISSIONS, type PortalPermission, scopeNeededToGrant } from '@keywarden/core';
import { Controller, useForm } from 'react-hook-form';
import { AppSelect } from '../../../components/AppSelect';
import { CopyButton } from '../../../components/CopyButton';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { FormActions } from '../../../components/FormActions';
import { SelectField } from '../../../components/SelectField';
import { formatTime, linesOf } from '../../../lib/format';
import { useSignedInActor } from '../../../lib/signed-in-actor';
import { useCreatePortalLink } from '../api/customers';

const SESSION_LENGTHS = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 8 * 3600, label: '8 hours' },
  { seconds: 86_400, label: '24 hours' },
];

interface PortalLinkForm {
  appId: string;
  permissions: PortalPermission[];
  allowedScopes: string;
  ttlSeconds: string;
}

/**
 * A single-use link that opens the portal for this customer. The platform normally makes
 * these from its own backend; this is for support and for trying the portal out.
 */
export function PortalLinkDialog({ customer, open, onClose }: { customer: Customer; open: boolean; onClose: () => void }) {
  const link = useCreatePortalLink();
  const actor = useSignedInActor();
  // A key limited to some apps may open a portal in one of them only, never in all apps.
  const limitedToApps = actor.appIds;
  // Nobody grants what they do not hold: a permission whose scopes the signed-in key lacks is offered disabled, with the scope it needs.
  const neededScope = (permission: PortalPermission) => scopeNeededToGrant(actor.scopes, permission);
  const grantable = PORTAL_PERMISSIONS.filter((permission) => neededScope(permission) === undefined);
  const { register, handleSubmit, control, reset, watch } = useForm<PortalLinkForm>({
    defaultValues: { appId: limitedToApps?.[0] ?? '', permissions: grantable, allowedScopes: '', ttlSeconds: '3600' },
  });
  const nothingChosen = watch('permissions').length === 0;
  const close = () => {
    // The link is a credential until used: gone with the dialog.
    link.reset();
    reset();
    onClose();
  };
  return (
    <Dialog open={open} title={link.data ? 'Portal link created' : 'Open a portal for this customer'} onClose={close} wide>
      {link.data ? (
        <div className="stack">
          <p className="warning" role="status">
            This link opens the portal once, until {formatTime(link.data.expiresAt)}. Whoever opens it acts as {customer.name ?? customer.externalId}.
          </p>
          <div className="secret-row">
            <code className="secret" aria-label="Portal link">
              {link.data.url}
            </code>
            <CopyButton value={link.data.url} label="Copy link" />
          </div>
          <div className="actions">
            <a className="button-secondary" href={link.data.url} target="_blank" rel="noreferrer noopener" onClick={close}>
              Open the portal
            </a>
            <button type="button" className="button-primary" onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form
          className="stack"
          onSubmit={handleSubmit((values) =>
            link.mutate({
              customerId: customer.id,
              appId: values.appId || undefined,
              permissions: values.permissions,
              allowedScopes: linesOf(values.allowedScopes).length ? linesOf(values.allowedScopes) : undefined,
              ttlSeconds: Number(values.ttlSeconds),
            }),
          )}
        >
          <p className="muted">
            Your backend makes these with <code>POST /v1/portal/sessions</code> when a signed-in customer asks for their keys. A link that names an
            app carries its branding and may be framed by its embed origins.
          </p>
          <div className="grid-2">
            <Controller control={control} name="appId" render={({ field }) => <AppSelect value={field.value} onChange={field.onChange} allowAll={limitedToApps === null} />} />
            <SelectField label="Session length" {...register('ttlSeconds')}>
              {SESSION_LENGTHS.map((length) => (
                <option key={length.seconds} value={length.seconds}>
                  {length.label}
                </option>
              ))}
            </SelectField>
          </div>
          <fieldset className="fieldset">
            <legend>What the customer may do</legend>
            <div className="checkbox-grid">
              {PORTAL_PERMISSIONS.map((permission) => {
                const needs = neededScope(permission);
                const hintId = `portal-permission-needs-${permission.replace('.', '-')}`;
                return (
                  <div key={permission} className="checkbox-option">
                    <label className="checkbox">
                      <input type="checkbox" value={permission} disabled={needs !== undefined} aria-describedby={needs ? hintId : undefined} {...register('permissions')} />
                      <code>{permission}</code>
                    </label>
                    {needs && (
                      <small id={hintId} className="muted">
                        needs {needs}
                      </small>
                    )}
                  </div>
                );
              })}
            </div>
            {grantable.length < PORTAL_PERMISSIONS.length && (
              <p className="muted">Your admin key can grant only what its own scopes allow.</p>
            )}
            {grantable.length === 0 ? (
              <p className="warning" role="status">
                Your admin key holds none of the scopes a portal permission needs: ask an owner for a link.
              </p>
            ) : (
              nothingChosen && <p className="muted">Choose at least one permission.</p>
            )}
          </fieldset>
          <label className="field">
            <span>Scopes new keys may carry (one per line; empty: the app's catalog)</span>
            <textarea rows={2} spellCheck={false} {...register('allowedScopes')} />
          </label>
          <ErrorMessage error={link.error} />
          <FormActions onCancel={close} submitLabel="Create link" pendingLabel="Creating…" pending={link.isPending} disabled={nothingChosen} />
        </form>
      )}
    </Dialog>
  );
}
