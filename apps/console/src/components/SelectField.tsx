import { type ComponentProps, useId } from 'react';

type SelectFieldProps = ComponentProps<'select'> & { label: string; inline?: boolean };

/**
 * A labelled <select>. The label points at it with `for` instead of wrapping it: a wrapped
 * select would add its current option to its own accessible name ("App Choose an app").
 */
export function SelectField({ label, inline, children, ...select }: SelectFieldProps) {
  const id = useId();
  return (
    <div className={inline ? 'field field-inline' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        {children}
      </select>
    </div>
  );
}
