import { useId } from 'react';

interface ScopePickerProps {
  catalog: string[];
  value: string[];
  onChange: (scopes: string[]) => void;
}

/** Checkboxes from the app's scope catalog; an app without a catalog takes free text. */
export function ScopePicker({ catalog, value, onChange }: ScopePickerProps) {
  const id = useId();
  if (catalog.length === 0) {
    return (
      <label className="field">
        <span>Scopes (one per line; this app has no catalog)</span>
        <textarea
          rows={3}
          spellCheck={false}
          value={value.join('\n')}
          onChange={(event) => onChange(event.target.value.split('\n').map((line) => line.trim()).filter(Boolean))}
        />
      </label>
    );
  }
  return (
    <fieldset className="fieldset" aria-describedby={`${id}-hint`}>
      <legend>Scopes</legend>
      <p id={`${id}-hint`} className="muted small">
        From the app's scope catalog.
      </p>
      <div className="checkbox-grid">
        {catalog.map((scope) => (
          <label key={scope} className="checkbox">
            <input
              type="checkbox"
              checked={value.includes(scope)}
              onChange={(event) => onChange(event.target.checked ? [...value, scope] : value.filter((item) => item !== scope))}
            />
            <code>{scope}</code>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
