import { useAppOptions } from '../lib/app-options';
import { SelectField } from './SelectField';

interface AppSelectProps {
  value: string;
  onChange: (appId: string) => void;
  label?: string;
  /** Offer "All apps" (value ''). */
  allowAll?: boolean;
}

export function AppSelect({ value, onChange, label = 'App', allowAll }: AppSelectProps) {
  const apps = useAppOptions();
  return (
    <SelectField label={label} inline value={value} onChange={(event) => onChange(event.target.value)} disabled={apps.isPending}>
        {allowAll && <option value="">All apps</option>}
        {!allowAll && !value && <option value="">Choose an app</option>}
        {(apps.data ?? []).map((app) => (
          <option key={app.id} value={app.id}>
            {app.name}
          </option>
        ))}
      </SelectField>
  );
}
