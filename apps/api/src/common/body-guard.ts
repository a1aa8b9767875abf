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

function join(path: string, segment: string | number): string {
  return path ? `${path}.${segment}` : String(segment);
}

/**
 * The first thing in a parsed JSON value that no validator should ever see: nesting
 * deeper than `maxDepth`, or a string (value or field name) PostgreSQL cannot store.
 * Walks with an explicit stack, so a body nested 5,000 levels deep costs no recursion.
 * Fields are named as validation errors name them (`metadata.a`, `scopes.2`); a body too
 * deep is blamed on its top-level field.
 */
export function bodyIssue(body: unknown, maxDepth = MAX_BODY_DEPTH): FieldError | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: body, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string') {
      const message = textIssue(value);
      if (message) return { field: path || 'body', message };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return { field: path.split('.')[0] || 'body', message: `must not nest deeper than ${maxDepth} levels` };
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: join(path, index), depth: depth + 1 }));
      continue;
    }
    for (const [name, item] of Object.entries(value)) {
      const message = textIssue(name);
      if (message) return { field: path || 'body', message: `field names ${message}` };
      stack.push({ value: item, path: join(path, name), depth: depth + 1 });
    }
  }
  return null;
}
