// Summarises a V8 .cpuprofile (node --cpu-prof, or the inspector Profiler domain):
// top self-time functions, self time per package (native frames charged to the JS that
// called them), and inclusive time per package (share of samples with that package
// anywhere on the stack).
//
//   node bench/verify/cpu-profile-summary.mjs FILE.cpuprofile [--top 30]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** Package-ish bucket of a script URL; null for native frames (no URL). */
export function categoryOf(url) {
  if (!url) return null;
  let path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  if (path.startsWith('node:')) {
    let rest = path.slice(5);
    if (rest.startsWith('internal/')) rest = rest.slice(9);
    let first = rest.split('/')[0];
    if (first.startsWith('_http_') || first === 'http') first = 'http';
    if (first.startsWith('_stream') || first === 'streams' || first === 'stream') first = 'streams';
    return `node:${first}`;
  }
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const api = path.match(/\/apps\/api\/dist\/([^/]+)/);
  if (api) return `keywarden-api/${api[1].replace(/\.js$/, '')}`;
  const pkg = path.match(/\/packages\/([^/]+)\/dist\//);
  if (pkg) return `@keywarden/${pkg[1]}`;
  return path;
}

function shortLocation(url, line) {
  if (!url) return '(native)';
  let path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) path = path.slice(nm + 14);
  else path = path.replace(/^.*\/(apps|packages)\//, '$1/');
  return `${path}:${line + 1}`;
}

export function summariseProfile(profile, { top = 30 } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Time of each sample: until the next one (the last one: until endTime).
  const { samples, timeDeltas } = profile;
  const times = new Array(samples.length);
  let t = profile.startTime;
  const stamps = samples.map((_, i) => (t += timeDeltas[i]));
  for (let i = 0; i < samples.length; i++) {
    times[i] = Math.max(0, (i + 1 < samples.length ? stamps[i + 1] : profile.endTime) - stamps[i]) / 1000; // ms
  }

  // Per node: own category, the category its self time is charged to, its stack's categories.
  const ownCat = new Map();
  const chargedCat = new Map();
  const stackCats = new Map();
  const resolve = (id) => {
    if (chargedCat.has(id)) return;
    const chain = [];
    for (let cur = id; cur !== undefined && !chargedCat.has(cur); cur = parent.get(cur)) chain.push(cur);
    for (const cur of chain.reverse()) {
      const n = nodes.get(cur);
      const p = parent.get(cur);
      const name = n.callFrame.functionName;
      const own = SPECIAL.has(name) ? name : categoryOf(n.callFrame.url);
      ownCat.set(cur, own);
      const parentCharged = p === undefined ? '(root)' : chargedCat.get(p);
      chargedCat.set(cur, own ?? (parentCharged === '(root)' ? `(native) ${name || 'anonymous'}` : parentCharged));
      const cats = new Set(p === undefined ? [] : stackCats.get(p));
      if (own && !SPECIAL.has(own)) cats.add(own);
      stackCats.set(cur, cats);
    }
  };

  let total = 0;
  let idle = 0;
  const selfByNode = new Map();
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i];
    resolve(id);
    total += times[i];
    if (nodes.get(id).callFrame.functionName === '(idle)') idle += times[i];
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + times[i]);
  }
  const busy = total - idle;

  const byFunction = new Map();
  const selfByCategory = new Map();
  const inclusiveByCategory = new Map();
  for (const [id, ms] of selfByNode) {
    const n = nodes.get(id);
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName}|${url}|${lineNumber}`;
    const entry = byFunction.get(key) ?? {
      function: functionName || '(anonymous)',
      location: shortLocation(url, lineNumber),
      category: ownCat.get(id) ?? `native, called from ${chargedCat.get(id)}`,
      selfMs: 0,
    };
    entry.selfMs += ms;
    byFunction.set(key, entry);
    const charged = chargedCat.get(id);
    selfByCategory.set(charged, (selfByCategory.get(charged) ?? 0) + ms);
    for (const cat of stackCats.get(id)) inclusiveByCategory.set(cat, (inclusiveByCategory.get(cat) ?? 0) + ms);
  }

  const pct = (ms) => Math.round((1000 * ms) / busy) / 10;
  const rows = (map) =>
    [...map]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), pctOfBusy: pct(ms) }));
  return {
    totalMs: Math.round(total),
    idleMs: Math.round(idle),
    busyMs: Math.round(busy),
    samples: samples.length,
    topSelf: [...byFunction.values()]
      .filter((f) => f.function !== '(idle)')
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((f) => ({ ...f, selfMs: Math.round(f.selfMs), pctOfBusy: pct(f.selfMs) })),
    selfByPackage: rows(selfByCategory),
    inclusiveByPackage: rows(inclusiveByCategory),
  };
}

export function formatSummary(summary, { top = 25 } = {}) {
  const lines = [];
  lines.push(`  profile: ${summary.totalMs} ms, busy ${summary.busyMs} ms (${Math.round((100 * summary.busyMs) / summary.totalMs)}%), ${summary.samples} samples; percentages are of busy time`);
  lines.push('');
  lines.push('  top self time (function — location — package):');
  for (const f of summary.topSelf.slice(0, top)) {
    lines.push(`    ${String(f.pctOfBusy).padStart(5)}%  ${String(f.selfMs).padStart(6)} ms  ${f.function} — ${f.location} — ${f.category}`);
  }
  lines.push('');
  lines.push('  self time by package (native code charged to its JS caller):');
  for (const r of summary.selfByPackage.slice(0, top)) lines.push(`    ${String(r.pctOfBusy).padStart(5)}%  ${String(r.ms).padStart(6)} ms  ${r.name}`);
  lines.push('');
  lines.push('  inclusive time by package (samples with the package anywhere on the stack):');
  for (const r of summary.inclusiveByPackage.slice(0, top)) lines.push(`    ${String(r.pctOfBusy).padStart(5)}%  ${String(r.ms).padStart(6)} ms  ${r.name}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bench/verify/cpu-profile-summary.mjs FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const topIndex = process.argv.indexOf('--top');
  const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 30;
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')), { top });
  process.stdout.write(`${formatSummary(summary, { top })}\n`);
}
