import type { FieldError } from '@keywarden/core';

/** No request body of ours nests deeper (metadata included); the validators recurse. */
export const MAX_BODY_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** NUL (PostgreSQL text refuses it) and UTF-16 surrogates without their pair (jsonb refuses them). */
function textIssue(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

/** A value met on the walk, and where it sits: its path is spelled out only for an issue. */
interface Visit {
  value: unknown;
  depth: number;
  parent: Visit | null;
  segment: string | number;
}

function pathOf(visit: Visit): string {
  let path = '';
  for (let at: Visit | null = visit; at !== null && at.parent !== null; at = at.parent) {
    path = path === '' ? String(at.segment) : `${at.segment}.${path}`;
  }
  return path;
}

/** A body of one level of scalars (every verify's) without an issue: checked without the walk's bookkeeping. */
function flatAndClean(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  for (const name of Object.keys(body)) {
    const value = (body as Record<string, unknown>)[name];
    if (value !== null && typeof value === 'object') return false;
    if (textIssue(name) !== null || (typeof value === 'string' && textIssue(value) !== null)) return false;
  }
  return true;
}

/**
 * The first thing in a parsed JSON value that no validator should ever see: nesting
 * deeper than `maxDepth`, or a string (value or field name) PostgreSQL cannot store.
 * Walks with an explicit stack, so a body nested 5,000 levels deep costs no recursion.
 * Fields are named as validation errors name them (`metadata.a`, `scopes.2`); a body too
 * deep is blamed on its top-level field.
 */
export function bodyIssue(body: unknown, maxDepth = MAX_BODY_DEPTH): FieldError | null {
  if (maxDepth > 0 && flatAndClean(body)) return null;
  const stack: Visit[] = [{ value: body, depth: 0, parent: null, segment: '' }];
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const { value, depth } = visit;
    if (typeof value === 'string') {
      const message = textIssue(value);
      if (message) return { field: pathOf(visit) || 'body', message };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return { field: pathOf(visit).split('.')[0] || 'body', message: `must not nest deeper than ${maxDepth} levels` };
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) stack.push({ value: value[index], depth: depth + 1, parent: visit, segment: index });
      continue;
    }
    for (const name of Object.keys(value)) {
      const message = textIssue(name);
      if (message) return { field: pathOf(visit) || 'body', message: `field names ${message}` };
      stack.push({ value: (value as Record<string, unknown>)[name], depth: depth + 1, parent: visit, segment: name });
    }
  }
  return null;
}
