import { bodyIssue, MAX_BODY_DEPTH } from './body-guard';

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('bodyIssue', () => {
  it('finds nothing in an ordinary body', () => {
    expect(bodyIssue({ key: 'kw_live_x', scope: 'orders.read', metadata: { tags: ['a', 'b'], n: 1, ok: true, none: null } })).toBeNull();
  });

  it('names a value holding NUL by its field path, array indexes included', () => {
    expect(bodyIssue({ metadata: { tags: ['a', 'b\u0000'] } })).toEqual({ field: 'metadata.tags.1', message: 'must not contain NUL characters' });
  });

  it('names an unpaired surrogate in a top-level field', () => {
    expect(bodyIssue({ name: 'x\uD800' })).toEqual({ field: 'name', message: 'must not contain unpaired UTF-16 surrogates' });
  });

  it('blames a field name PostgreSQL cannot store on the object holding it', () => {
    expect(bodyIssue({ metadata: { 'a\u0000': 1 } })).toEqual({ field: 'metadata', message: 'field names must not contain NUL characters' });
  });

  it('calls a bad top-level string the body', () => {
    expect(bodyIssue('\u0000')).toEqual({ field: 'body', message: 'must not contain NUL characters' });
  });

  it('blames a body nested too deep on its top-level field, without recursion', () => {
    expect(bodyIssue({ deep: nested(5_000) })).toEqual({ field: 'deep', message: `must not nest deeper than ${MAX_BODY_DEPTH} levels` });
    expect(bodyIssue({ deep: nested(MAX_BODY_DEPTH - 2) })).toBeNull();
  });
});
