import type { ErrorCode } from '../errors';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `policy.ipAllowlist.0`; `body` for the whole body. */
  field: string;
  message: string;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  requestId: string;
  details?: FieldError[];
}

export interface ErrorEnvelope {
  error: ErrorBody;
}

export interface PageQuery {
  /** 1–100, default 20. */
  limit?: number;
  /** Opaque: the `nextCursor` of the previous page. */
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

/** Small JSON object attached to a key; values are the caller's, never interpreted. */
export type Metadata = Record<string, unknown>;
export const MAX_METADATA_BYTES = 4096;
