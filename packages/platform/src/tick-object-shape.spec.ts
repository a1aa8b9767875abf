import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transpileModule, ModuleKind } from 'typescript';

// What this pins is V8's behaviour, so the test asks V8, in a process of its own:
// `%DebugPrint(process.nextTick)` lists the state of each inline cache of nextTick's
// tick-object literal, and a full GC while no tick object is alive is what the API met in
// its idle stretches.
const CHILD = `
const { holdTickObjectShape } = require(process.argv[2]);
if (process.argv[3] === 'hold') holdTickObjectShape();
for (let i = 0; i < 200; i++) process.nextTick(() => {});
setImmediate(() => {
  gc();
  process.nextTick(() => {});
  %DebugPrint(process.nextTick);
});
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tick-object-shape-'));
  const source = readFileSync(join(__dirname, 'tick-object-shape.ts'), 'utf8');
  writeFileSync(join(dir, 'tick-object-shape.js'), transpileModule(source, { compilerOptions: { module: ModuleKind.CommonJS } }).outputText);
  writeFileSync(join(dir, 'child.js'), CHILD);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The states of nextTick's literal caches after an idle full GC, with or without the hold. */
function literalCacheStates(mode: 'hold' | 'none'): string[] {
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', join(dir, 'child.js'), join(dir, 'tick-object-shape.js'), mode], {
    encoding: 'utf8',
  });
  expect(run.status).toBe(0);
  return [...run.stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((match) => match[1]);
}

test('without a held tick object, an idle full GC turns nextTick literal caches megamorphic', () => {
  expect(literalCacheStates('none')).toContain('MEGAMORPHIC');
});

test('with a held tick object, every cache of the literal stays monomorphic through the GC', () => {
  const states = literalCacheStates('hold');
  expect(states).toHaveLength(4);
  expect(new Set(states)).toEqual(new Set(['MONOMORPHIC']));
});
