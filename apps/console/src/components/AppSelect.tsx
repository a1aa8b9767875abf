import { useAppOptions } from '../lib/app-options';
import { SelectField } from './SelectField';

/** What an app picker needs of an app. */
export interface AppChoice {
  id: string;
  name: string;
}

interface AppSelectFieldProps {
  /** Undefined while they load. */
  apps: AppChoice[] | undefined;
  value: string;
  onChange: (appId: string) => void;
  label?: string;
  /** Offer "All apps" (value ''). */
  allowAll?: boolean;
}

/** A picker of the given apps. */
export function AppSelectField({ apps, value, onChange, label = 'App', allowAll }: AppSelectFieldProps) {
  return (
    <SelectField label={label} inline value={value} onChange={(event) => onChange(event.target.value)} disabled={apps === undefined}>
      {allowAll && <option value="">All apps</option>}
      {!allowAll && !value && <option value="">Choose an app</option>}
      {(apps ?? []).map((app) => (
        <option key={app.id} value={app.id}>
          {app.name}
        </option>
      ))}
    </SelectField>
  );
}

/** A picker of the console's apps (those the signed-in key may see). */
export function AppSelect(props: Omit<AppSelectFieldProps, 'apps'>) {
  const apps = useAppOptions();
  return <AppSelectField apps={apps.data} {...props} />;
}
