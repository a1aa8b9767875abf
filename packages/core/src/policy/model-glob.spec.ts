import fc from 'fast-check';
import { compileModelGlob, isModelGlob } from './model-glob';

describe('isModelGlob', () => {
  it.each(['gpt-4o', 'gpt-4o*', '*', 'claude-3-?-sonnet', 'meta/llama-3.1@8b', 'text-embedding-3-*'])('accepts %s', (glob) =>
    expect(isModelGlob(glob)).toBe(true),
  );

  it.each([
    ['an empty glob', ''],
    ['a space', 'gpt 4o'],
    ['a regex class', 'gpt-[45]o'],
    ['a backslash', 'gpt\\4o'],
    ['too many wildcards', '*a*b*c*d*e*f*g*h*'],
    ['129 characters', 'a'.repeat(129)],
    ['a non-string', 42],
  ])('refuses %s', (_label, glob) => expect(isModelGlob(glob)).toBe(false));
});

describe('compileModelGlob', () => {
  it.each([
    ['gpt-4o*', 'gpt-4o', true],
    ['gpt-4o*', 'gpt-4o-mini', true],
    ['gpt-4o*', 'gpt-4', false],
    ['gpt-4o*', 'GPT-4o', false],
    ['gpt-4o*', 'my-gpt-4o', false],
    ['*-mini', 'gpt-4o-mini', true],
    ['claude-?-haiku', 'claude-3-haiku', true],
    ['claude-?-haiku', 'claude-35-haiku', false],
    ['gpt-4.1', 'gpt-4x1', false],
    ['*', 'anything at all', true],
  ])('%s matches %s: %s', (glob, model, expected) => expect(compileModelGlob(glob).test(model)).toBe(expected));

  const literal = fc.stringMatching(/^[A-Za-z0-9._:/@+-]{1,40}$/);

  it('a glob without wildcards matches exactly itself', () => {
    fc.assert(fc.property(literal, literal, (glob, model) => expect(compileModelGlob(glob).test(model)).toBe(glob === model)));
  });

  it('`prefix*` matches exactly the models starting with prefix', () => {
    fc.assert(
      fc.property(literal, literal, (prefix, model) =>
        expect(compileModelGlob(`${prefix}*`).test(model)).toBe(model.startsWith(prefix)),
      ),
    );
  });
});
