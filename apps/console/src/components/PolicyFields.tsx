import { type CustomerPolicy, type KeyPolicy, PLANS } from '@keywarden/core';
import type { FieldValues, Path, UseFormRegister } from 'react-hook-form';
import { linesOf } from '../lib/format';
import { SelectField } from './SelectField';

/** A policy as form fields: every number and list as text, blank = not set. */
export interface PolicyFormValues {
  plan: string;
  perMinute: string;
  perHour: string;
  perDay: string;
  burst: string;
  concurrency: string;
  ipAllowlist: string;
  allowedModels: string;
  dailySpendLimit: string;
  rotationPeriodDays: string;
}

export function policyFormValues(policy: KeyPolicy | null | undefined): PolicyFormValues {
  const text = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    plan: policy?.plan ?? '',
    perMinute: text(policy?.rateLimits?.perMinute),
    perHour: text(policy?.rateLimits?.perHour),
    perDay: text(policy?.rateLimits?.perDay),
    burst: text(policy?.rateLimits?.burst),
    concurrency: text(policy?.concurrency),
    ipAllowlist: (policy?.ipAllowlist ?? []).join('\n'),
    allowedModels: (policy?.allowedModels ?? []).join('\n'),
    dailySpendLimit: text(policy?.dailySpendLimit),
    rotationPeriodDays: text(policy?.rotationPeriodDays),
  };
}

/** Form fields → the wire policy; undefined when nothing is set. The API validates the values. */
export function policyOf(values: PolicyFormValues): KeyPolicy | undefined {
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
  const rateLimits = { perMinute: number(values.perMinute), perHour: number(values.perHour), perDay: number(values.perDay), burst: number(values.burst) };
  const policy: KeyPolicy = {
    plan: (values.plan || undefined) as KeyPolicy['plan'],
    rateLimits: Object.values(rateLimits).some((value) => value !== undefined) ? dropUndefined(rateLimits) : undefined,
    concurrency: number(values.concurrency),
    ipAllowlist: linesOf(values.ipAllowlist).length ? linesOf(values.ipAllowlist) : undefined,
    allowedModels: linesOf(values.allowedModels).length ? linesOf(values.allowedModels) : undefined,
    dailySpendLimit: number(values.dailySpendLimit),
    rotationPeriodDays: number(values.rotationPeriodDays),
  };
  const set = dropUndefined(policy);
  return Object.keys(set).length ? set : undefined;
}

/** The part of the form a customer's shared policy has: rate limits, concurrency, spend cap. */
export function customerPolicyOf(values: PolicyFormValues): CustomerPolicy | undefined {
  const policy = policyOf(values);
  if (!policy) return undefined;
  const shared = dropUndefined({ rateLimits: policy.rateLimits, concurrency: policy.concurrency, dailySpendLimit: policy.dailySpendLimit });
  return Object.keys(shared).length ? shared : undefined;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

interface PolicyFieldsProps<T extends FieldValues> {
  register: UseFormRegister<T>;
  /** Where the PolicyFormValues sit in the form, e.g. `policy`. */
  name: string;
  legend?: string;
  /** A customer's shared policy has limits only: no plan, allowlists or rotation. */
  customer?: boolean;
  /** What a blank field means here; by default, a key's: the app's default applies. */
  hint?: string;
}

const KEY_POLICY_HINT = "Leave a field blank to inherit the app's default (or no limit). A plan chosen here replaces the default's plan.";
const CUSTOMER_POLICY_HINT = "Shared by all the customer's keys, on top of each key's own policy. Blank: no limit.";

/** The policy editor: plan preset, rate limits, concurrency, IP allowlist, models, spend cap, rotation. */
export function PolicyFields<T extends FieldValues>({ register, name, legend = 'Policy', customer, hint }: PolicyFieldsProps<T>) {
  const field = (key: keyof PolicyFormValues) => register(`${name}.${key}` as Path<T>);
  return (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      <p className="muted small">
        {hint ?? (customer ? CUSTOMER_POLICY_HINT : KEY_POLICY_HINT)}
      </p>
      <div className="grid-3">
        {!customer && (
          <SelectField label="Plan" {...field('plan')}>
            <option value="">None</option>
            {PLANS.map((plan) => (
              <option key={plan} value={plan}>
                {plan}
              </option>
            ))}
          </SelectField>
        )}
        <label className="field">
          <span>Requests per minute</span>
          <input inputMode="numeric" {...field('perMinute')} />
        </label>
        <label className="field">
          <span>Requests per hour</span>
          <input inputMode="numeric" {...field('perHour')} />
        </label>
        <label className="field">
          <span>Requests per day</span>
          <input inputMode="numeric" {...field('perDay')} />
        </label>
        <label className="field">
          <span>Burst</span>
          <input inputMode="numeric" {...field('burst')} />
        </label>
        <label className="field">
          <span>Concurrent requests</span>
          <input inputMode="numeric" {...field('concurrency')} />
        </label>
        <label className="field">
          <span>Daily spend limit</span>
          <input inputMode="decimal" {...field('dailySpendLimit')} />
        </label>
        {!customer && (
          <label className="field">
            <span>Rotation period (days)</span>
            <input inputMode="numeric" {...field('rotationPeriodDays')} />
          </label>
        )}
      </div>
      {!customer && (
      <div className="grid-2">
        <label className="field">
          <span>IP allowlist (one CIDR per line)</span>
          <textarea rows={3} spellCheck={false} {...field('ipAllowlist')} />
        </label>
        <label className="field">
          <span>Allowed models (one glob per line)</span>
          <textarea rows={3} spellCheck={false} {...field('allowedModels')} />
        </label>
      </div>
      )}
    </fieldset>
  );
}
