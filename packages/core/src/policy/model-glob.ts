/**
 * Model globs: `*` stands for any run of characters, `?` for one; everything else is
 * literal and case-sensitive (`gpt-4o*` allows `gpt-4o` and `gpt-4o-mini`, not `GPT-4o`).
 */
const GLOB_PATTERN = /^[A-Za-z0-9._:/@+*?-]{1,128}$/;
const MAX_WILDCARDS = 8;

export const MODEL_GLOB_MESSAGE =
  'must contain model names or globs of 1-128 characters (letters, digits, . _ : / @ + -, with * or ?; at most 8 wildcards)';

export function isModelGlob(value: unknown): boolean {
  if (typeof value !== 'string' || !GLOB_PATTERN.test(value)) return false;
  return (value.match(/[*?]/g)?.length ?? 0) <= MAX_WILDCARDS;
}

export function compileModelGlob(glob: string): RegExp {
  const source = glob
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+/\\^$()[\]{}|-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
