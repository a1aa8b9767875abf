// Architecture checks, part of `pnpm test` (infra/test.sh): `node --test test/architecture.test.mjs`.
// Imports are read by dependency-cruiser with the rules in .dependency-cruiser.cjs; on top
// of them, no top-level folder of a source root may depend on another that depends back on
// it, even through sub-folders (`keys/dto` counts as `keys`).
import assert from 'node:assert/strict';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_ROOTS = ['apps/api/src', 'apps/worker/src', 'packages/core/src', 'packages/sdk/src'];

process.chdir(ROOT);
const ruleSet = await extractDepcruiseConfig(join(ROOT, '.dependency-cruiser.cjs'));
const { output: result } = await cruise(SOURCE_ROOTS, { ...ruleSet.options, ruleSet, validate: true });

/** The top-level folder (or file, without `.ts`) of `source` under `root`; null outside it. */
function folderOf(root, source) {
  const path = relative(root, source);
  if (path.startsWith('..')) return null;
  return path.split('/')[0].replace(/\.ts$/, '');
}

/** Strongly connected groups of more than one folder (Tarjan). */
function folderCycles(root) {
  const edges = new Map();
  for (const module of result.modules) {
    const from = folderOf(root, module.source);
    if (from === null) continue;
    for (const dependency of module.dependencies) {
      const to = folderOf(root, dependency.resolved);
      if (to === null || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from).add(to);
    }
  }
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of edges.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node), low.get(target)));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node), index.get(target)));
    }
    if (low.get(node) !== index.get(node)) return;
    const group = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) {
      const set = new Set(group);
      cycles.push(group.map((folder) => `${folder} -> ${[...(edges.get(folder) ?? [])].filter((to) => set.has(to)).join(', ')}`));
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

test('the dependency rules of .dependency-cruiser.cjs hold', () => {
  const violations = result.summary.violations.map(
    (violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}${violation.cycle ? ` (${violation.cycle.map((step) => step.name ?? step).join(' -> ')})` : ''}`,
  );
  assert.deepEqual(violations, []);
});

for (const root of SOURCE_ROOTS) {
  test(`${root}: no two top-level folders depend on each other`, () => {
    assert.ok(result.modules.some((module) => folderOf(root, module.source) !== null), `no modules read under ${root}`);
    assert.deepEqual(folderCycles(root), []);
  });
}
