import { type App, type PortalBranding, SENSITIVITIES, type Sensitivity, WEEKDAYS, type Weekday } from '@keywarden/core';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useNavigate, useParams } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { PolicyFields, type PolicyFormValues, policyFormValues, policyOf } from '../../../components/PolicyFields';
import { linesOf } from '../../../lib/format';
import { useApp, useDeleteApp, useUpdateApp } from '../api/apps';
import { SaveBar } from '../../../components/SaveBar';
import { SelectField } from '../../../components/SelectField';
import { ScopedButton } from '../../../components/ScopedButton';
import { ScopedFieldset } from '../../../components/ScopedFieldset';

interface AppForm {
  name: string;
  timezone: string;
  days: Weekday[];
  start: string;
  end: string;
  scopeCatalog: string;
  environments: string;
  sensitivity: Sensitivity;
  spikeFloorPerMinute: string;
  offHoursFloorPerMinute: string;
  mutedKeyIds: string;
  policy: PolicyFormValues;
  portal: PortalBrandingForm;
}

/** The customer portal's branding as form text; blank = not set. */
interface PortalBrandingForm {
  displayName: string;
  logoUrl: string;
  accentColor: string;
  supportUrl: string;
  allowedEmbedOrigins: string;
}

function brandingFormOf(branding: PortalBranding | null): PortalBrandingForm {
  return {
    displayName: branding?.displayName ?? '',
    logoUrl: branding?.logoUrl ?? '',
    accentColor: branding?.accentColor ?? '',
    supportUrl: branding?.supportUrl ?? '',
    allowedEmbedOrigins: (branding?.allowedEmbedOrigins ?? []).join('\n'),
  };
}

/** Null when nothing is set (the portal then shows the app's name, unframed). */
function brandingOf(form: PortalBrandingForm): PortalBranding | null {
  const origins = linesOf(form.allowedEmbedOrigins);
  const branding: PortalBranding = {
    ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}),
    ...(form.logoUrl.trim() ? { logoUrl: form.logoUrl.trim() } : {}),
    ...(form.accentColor.trim() ? { accentColor: form.accentColor.trim() } : {}),
    ...(form.supportUrl.trim() ? { supportUrl: form.supportUrl.trim() } : {}),
    ...(origins.length ? { allowedEmbedOrigins: origins } : {}),
  };
  return Object.keys(branding).length ? branding : null;
}

function formOf(app: App): AppForm {
  return {
    name: app.name,
    timezone: app.timezone,
    days: app.businessHours.days,
    start: app.businessHours.start,
    end: app.businessHours.end,
    scopeCatalog: app.scopeCatalog.join('\n'),
    environments: app.environments.join('\n'),
    sensitivity: app.detection.sensitivity,
    spikeFloorPerMinute: String(app.detection.spikeFloorPerMinute),
    offHoursFloorPerMinute: String(app.detection.offHoursFloorPerMinute),
    mutedKeyIds: app.detection.mutedKeyIds.join('\n'),
    policy: policyFormValues(app.defaultPolicy),
    portal: brandingFormOf(app.portal),
  };
}

export default function AppSettingsPage() {
  const { appId = '' } = useParams();
  const app = useApp(appId);
  if (app.isPending) return <Loading />;
  if (app.isError) return <ErrorMessage error={app.error} />;
  return <AppSettingsForm app={app.data} />;
}

function AppSettingsForm({ app }: { app: App }) {
  const update = useUpdateApp(app.id);
  const remove = useDeleteApp(app.id);
  const navigate = useNavigate();
  const [deleting, setDeleting] = useState(false);
  const { register, handleSubmit, formState, reset } = useForm<AppForm>({ values: formOf(app) });
  return (
    <>
      <PageHeader title={app.name} description={<code>{app.id}</code>}>
        <Link className="button-secondary" to={`/keys?appId=${app.id}`}>
          Keys of this app
        </Link>
        <ScopedButton scope="apps.write" className="button-danger" onClick={() => setDeleting(true)}>
          Delete app
        </ScopedButton>
      </PageHeader>
      <form
        className="stack card"
        aria-label="App settings"
        onSubmit={handleSubmit((values) =>
          update.mutate(
            {
              name: values.name,
              timezone: values.timezone,
              businessHours: { days: values.days, start: values.start, end: values.end },
              scopeCatalog: linesOf(values.scopeCatalog),
              environments: linesOf(values.environments),
              detection: {
                sensitivity: values.sensitivity,
                spikeFloorPerMinute: Number(values.spikeFloorPerMinute),
                offHoursFloorPerMinute: Number(values.offHoursFloorPerMinute),
                mutedKeyIds: linesOf(values.mutedKeyIds),
              },
              defaultPolicy: policyOf(values.policy) ?? null,
              portal: brandingOf(values.portal),
            },
            { onSuccess: (saved) => reset(formOf(saved)) },
          ),
        )}
      >
        <ScopedFieldset scope="apps.write">
          <div className="grid-2">
            <label className="field">
              <span>Name</span>
              <input {...register('name', { required: true })} />
            </label>
            <label className="field">
              <span>Time zone (IANA)</span>
              <input {...register('timezone', { required: true })} />
            </label>
          </div>
          <fieldset className="fieldset">
            <legend>Business hours</legend>
            <div className="checkbox-row">
              {WEEKDAYS.map((day) => (
                <label key={day} className="checkbox">
                  <input type="checkbox" value={day} {...register('days')} />
                  {day}
                </label>
              ))}
            </div>
            <div className="grid-2">
              <label className="field">
                <span>From</span>
                <input type="time" {...register('start')} />
              </label>
              <label className="field">
                <span>Until</span>
                <input type="time" {...register('end')} />
              </label>
            </div>
          </fieldset>
          <div className="grid-2">
            <label className="field">
              <span>Scope catalog (one per line; empty = any scope)</span>
              <textarea rows={5} spellCheck={false} {...register('scopeCatalog')} />
            </label>
            <label className="field">
              <span>Environments (one per line)</span>
              <textarea rows={5} spellCheck={false} {...register('environments')} />
            </label>
          </div>
          <fieldset className="fieldset">
            <legend>Detection</legend>
            <div className="grid-3">
              <SelectField label="Sensitivity" {...register('sensitivity')}>
                  {SENSITIVITIES.map((level) => (
                    <option key={level} value={level}>
                      {level}
                    </option>
                  ))}
                </SelectField>
              <label className="field">
                <span>Spike floor (requests per minute)</span>
                <input inputMode="numeric" {...register('spikeFloorPerMinute')} />
              </label>
              <label className="field">
                <span>Off-hours floor (requests per minute)</span>
                <input inputMode="numeric" {...register('offHoursFloorPerMinute')} />
              </label>
            </div>
            <label className="field">
              <span>Muted key ids (one per line: still learned, never alerted)</span>
              <textarea rows={2} spellCheck={false} {...register('mutedKeyIds')} />
            </label>
          </fieldset>
          <PolicyFields
            register={register}
            name="policy"
            legend="Default policy of the app's keys"
            hint="Applies at once to every key of this app, new or existing, for each field the key does not set itself. A key that picks a plan replaces this plan. Blank: no limit."
          />
          <fieldset className="fieldset">
            <legend>Customer portal</legend>
            <p className="muted small">How the portal presents this app to your customers, and which of your sites may show it in a frame.</p>
            <div className="grid-2">
              <label className="field">
                <span>Display name</span>
                <input {...register('portal.displayName')} />
              </label>
              <label className="field">
                <span>Accent colour (#rrggbb)</span>
                <input spellCheck={false} placeholder="#0f766e" {...register('portal.accentColor')} />
              </label>
              <label className="field">
                <span>Logo URL (https)</span>
                <input type="url" spellCheck={false} {...register('portal.logoUrl')} />
              </label>
              <label className="field">
                <span>Support URL (https)</span>
                <input type="url" spellCheck={false} {...register('portal.supportUrl')} />
              </label>
            </div>
            <label className="field">
              <span>Embed origins (one per line, e.g. https://app.example.com; empty: nobody may frame the portal)</span>
              <textarea rows={2} spellCheck={false} {...register('portal.allowedEmbedOrigins')} />
            </label>
          </fieldset>
          <SaveBar save={update} dirty={formState.isDirty} submitLabel="Save settings" savedMessage="Settings saved." scope="apps.write" />
        </ScopedFieldset>
      </form>
      <ConfirmDialog
        open={deleting}
        title={`Delete ${app.name}?`}
        confirmLabel="Delete app"
        danger
        pending={remove.isPending}
        error={remove.error}
        onClose={() => setDeleting(false)}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => navigate('/apps') })}
      >
        <p>Deleting the app revokes every one of its keys, for good: they stop verifying at once.</p>
      </ConfirmDialog>
    </>
  );
}
