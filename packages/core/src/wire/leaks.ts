import type { Propagation } from './keys';

/** What an app does when a leak of one of its keys is confirmed (default `revoke`). */
export const LEAK_RESPONSES = ['revoke', 'disable', 'notify'] as const;
export type LeakResponse = (typeof LEAK_RESPONSES)[number];

/**
 * What was done about a confirmed leak: the app's response, or `none` when the key was
 * already refused (revoked, or disabled under a `disable` response) or the response is `notify`.
 */
export type LeakAction = 'revoked' | 'disabled' | 'none';

/** One token of a GitHub secret scanning report (`POST /v1/leaks/github`). */
export interface GithubTokenReport {
  token: string;
  type: string;
  url: string;
  source: string;
}

export type GithubTokenLabel = 'true_positive' | 'false_positive';

/** Our answer for one reported token: GitHub's partner format. */
export interface GithubTokenVerdict {
  /** Hex SHA-256 of the token, as GitHub expects. */
  token_hash: string;
  token_type: string;
  label: GithubTokenLabel;
}

/** The fields of a leak report as they arrive (the API checks that exactly one of key and keyId is there). */
export interface ReportLeakFields {
  key?: string;
  keyId?: string;
  /** Where it was found, e.g. `pastebin`, `slack`, `support ticket`. */
  source?: string;
  url?: string;
}

/** `POST /v1/leaks`: a leak found by any other scanner or a person; exactly one of key and keyId. */
export type ReportLeakRequest = Omit<ReportLeakFields, 'key' | 'keyId'> & ({ key: string; keyId?: never } | { keyId: string; key?: never });

export interface ReportLeakResponse {
  keyId: string;
  /** The `leak` alert of the incident (reports of one key within 24 h share it). */
  alertId: string;
  /** false: an earlier report within 24 h opened the incident; this one was added to it. */
  newIncident: boolean;
  leakResponse: LeakResponse;
  action: LeakAction;
  /** Whether every API instance confirmed it refuses the key (or stopped caching it) before this answer. */
  propagation: Propagation;
}

/** A report as the `leak` alert's evidence keeps it. */
export interface LeakReportRecord {
  source: string | null;
  url: string | null;
  reportedAt: string;
  /** `github` for the secret scanning endpoint, else the reporting admin key's id. */
  reportedBy: string;
}

export interface TrafficShare {
  requests: number;
}

/** The `leak` alert's evidence: the usual numbers plus what a responder needs first. */
export interface LeakEvidence {
  /** Requests of the key in the 24 h before the first report. */
  observed: number;
  expected: 0;
  window: '24h';
  baselineHours: 0;
  source: string | null;
  url: string | null;
  firstReportedAt: string;
  leakResponse: LeakResponse;
  action: LeakAction;
  lastUsedAt: string | null;
  topIps: Array<TrafficShare & { ip: string }>;
  topModels: Array<TrafficShare & { model: string }>;
  reports: LeakReportRecord[];
}

/**
 * JSON schema of a GitHub secret scanning report: an array of tokens. Its length is
 * checked by the handler (more than 10,000 tokens is 413), fields GitHub may add are allowed.
 */
export const GITHUB_TOKEN_REPORT_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['token', 'type'],
    properties: {
      token: { type: 'string', maxLength: 1024 },
      type: { type: 'string', maxLength: 256 },
      url: { type: 'string', maxLength: 4096 },
      source: { type: 'string', maxLength: 256 },
    },
  },
} as const;
