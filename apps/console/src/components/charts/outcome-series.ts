import type { VerifyCode } from '@keywarden/core';
import type { ChartSeries } from './types';

/**
 * One colour per verify outcome, the same on every chart: a reader who learnt that orange is
 * RATE_LIMITED on one page must not find it meaning something else on the next. Only VALID
 * is green; the compiler asks for a colour when a new code is added.
 */
const OUTCOME_COLORS: Record<VerifyCode, string> = {
  VALID: '#16a34a',
  UNAUTHORIZED: '#4f46e5',
  KEY_REVOKED: '#dc2626',
  KEY_EXPIRED: '#92400e',
  KEY_DISABLED: '#7c3aed',
  INSUFFICIENT_PERMISSIONS: '#2563eb',
  IP_NOT_ALLOWED: '#0891b2',
  MODEL_NOT_ALLOWED: '#db2777',
  RATE_LIMITED: '#ea580c',
  USAGE_EXCEEDED: '#ca8a04',
};

/** Requests without an outcome, or with one this console does not know yet. */
const OTHER_OUTCOME_COLOR = '#6b7280';

function outcomeColor(outcome: string): string {
  return Object.hasOwn(OUTCOME_COLORS, outcome) ? OUTCOME_COLORS[outcome as VerifyCode] : OTHER_OUTCOME_COLOR;
}

/** A line per outcome, labelled by its code and coloured by it rather than by its position. */
export function outcomeSeries(outcomes: string[]): ChartSeries[] {
  return outcomes.map((outcome) => ({ key: outcome, label: outcome, color: outcomeColor(outcome) }));
}
