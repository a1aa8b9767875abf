import type { IncidentLevel } from './escalation';
import { QUIET_MS, UPDATE_INTERVAL_MS } from './thresholds';
import type { AlertEvidence, DetectionAlertType, IncidentEvent } from './types';

type Severity = IncidentEvent['severity'];
const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };

/** An incident the detectors have open (one per fingerprint). */
export interface OpenIncident {
  type: DetectionAlertType;
  keyId: string;
  model: string | null;
  openedMs: number;
  /** Last minute (end) its detector fired. */
  lastFiredMs: number;
  /** Last minute (end) an event was emitted for it. */
  lastReportedMs: number;
  severity: Severity;
  evidence: AlertEvidence;
  /** Volume incidents: the traffic level seen, against which an escalation is measured. */
  level?: IncidentLevel;
}

export type IncidentBook = Record<string, OpenIncident>;

/** type + key + model; the app is implied by the state the book lives in. */
export function fingerprintOf(type: DetectionAlertType, keyId: string, model: string | null): string {
  return `${type}:${keyId}:${model ?? '*'}`;
}

export interface Firing {
  type: DetectionAlertType;
  keyId: string;
  model: string | null;
  severity: Severity;
  evidence: AlertEvidence;
}

/**
 * Records that a detector fired at `atMs` (end of the minute): opens the incident, or
 * updates the open one (at most every UPDATE_INTERVAL_MS unless its severity rises).
 */
export function fire(book: IncidentBook, firing: Firing, atMs: number, fingerprint = fingerprintOf(firing.type, firing.keyId, firing.model)): IncidentEvent | null {
  const open = book[fingerprint];
  if (!open) {
    book[fingerprint] = { ...firing, openedMs: atMs, lastFiredMs: atMs, lastReportedMs: atMs };
    return eventOf('opened', fingerprint, book[fingerprint], atMs);
  }
  open.lastFiredMs = atMs;
  const escalated = SEVERITY_RANK[firing.severity] > SEVERITY_RANK[open.severity];
  if (!escalated && atMs - open.lastReportedMs < UPDATE_INTERVAL_MS) return null;
  if (escalated) open.severity = firing.severity;
  open.evidence = firing.evidence;
  open.lastReportedMs = atMs;
  return eventOf('updated', fingerprint, open, atMs);
}

/** The condition behind an open incident persists without firing: its quiet period restarts. */
export function keepOpen(book: IncidentBook, fingerprint: string, atMs: number): void {
  const open = book[fingerprint];
  if (open) open.lastFiredMs = atMs;
}

/** Resolves every incident quiet for QUIET_MS. */
export function resolveQuiet(book: IncidentBook, atMs: number): IncidentEvent[] {
  const events: IncidentEvent[] = [];
  for (const fingerprint in book) {
    const open = book[fingerprint];
    if (atMs - open.lastFiredMs < QUIET_MS) continue;
    delete book[fingerprint];
    events.push(eventOf('resolved', fingerprint, open, atMs));
  }
  return events;
}

function eventOf(change: IncidentEvent['change'], fingerprint: string, incident: OpenIncident, atMs: number): IncidentEvent {
  return {
    change,
    type: incident.type,
    fingerprint,
    keyId: incident.keyId,
    model: incident.model,
    at: new Date(atMs).toISOString(),
    severity: incident.severity,
    evidence: incident.evidence,
  };
}

/** Severity from how far observed exceeds expected. */
export function severityOf(observed: number, expected: number): Severity {
  const ratio = observed / Math.max(expected, 1e-9);
  if (ratio >= 10) return 'high';
  if (ratio >= 4) return 'medium';
  return 'low';
}
