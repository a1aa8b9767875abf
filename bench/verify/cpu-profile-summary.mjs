// Summarises a V8 .cpuprofile (node --cpu-prof, or the inspector Profiler domain):
// top self-time functions, self time per package (native frames charged to the JS that
// called them), and inclusive time per package (share of samples with that package
// anywhere on the stack).
//
//   node bench/verify/cpu-profile-summary.mjs FILE.cpuprofile [--top 30]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

const has = (url, ...parts) => parts.some((part) => url.includes(part));

/**
 * The questions asked of a Keywarden profile, as stack predicates. `inclusive`: time of
 * the samples with a matching frame anywhere on the stack; `self`: time of the samples
 * whose own frame matches (native frames count as their JS caller's package). The rows
 * overlap (and some are "of which" rows): they do not add up to 100%.
 */
export const CONCERNS = [
  { name: 'caller authentication (KeyAuthenticator, incl. key resolution of the admin key)', mode: 'inclusive',
    match: (f) => f.functionName === 'authenticate' && has(f.url, 'auth/key-authenticator.service') },
  { name: 'caller policy (admitCaller: admin key IP allowlist + rate limit)', mode: 'inclusive',
    match: (f) => f.functionName === 'admitCaller' && has(f.url, 'policy/key-policy.guard') },
  { name: 'key resolution: parse + HMAC + cache, both keys (KeyResolverService.resolve)', mode: 'inclusive',
    match: (f) => f.functionName === 'resolve' && has(f.url, 'credentials/key-resolver.service') },
  { name: '  of which HMAC-SHA256 (hashKey)', mode: 'inclusive',
    match: (f) => f.functionName === 'hashKey' && has(f.url, 'keys/key-format') },
  { name: 'verify handler (KeysService.verify, incl. resolving the app key)', mode: 'inclusive',
    match: (f) => f.functionName === 'verify' && has(f.url, 'keys/keys.service') },
  { name: 'logging: pino + nestjs-pino (request line, redaction, write)', mode: 'inclusive',
    match: (f) => has(f.url, '/pino/', '/nestjs-pino/', '/sonic-boom/', '/@pinojs/', '/pino-std-serializers/') },
  { name: 'nestjs-pino request middleware via @fastify/middie (self)', mode: 'self',
    match: (f) => has(f.url, '/@fastify/middie/', '/nestjs-pino/') || has(f.category ?? '', '@fastify/middie', 'nestjs-pino') ||
      (f.functionName === 'handler' && has(f.url, 'middleware/middleware-module')) },
  { name: 'AsyncLocalStorage / async_hooks bookkeeping (self, excl. AsyncResource.bind)', mode: 'self',
    match: (f) => f.category === 'node:async_hooks' && !(f.functionName === 'bind' && has(f.url, 'node:async_hooks')) },
  { name: 'AsyncResource.bind in fastify content-type parser (fastify < 5.12.8)', mode: 'inclusive',
    match: (f) => f.functionName === 'bind' && f.url === 'node:async_hooks' },
  { name: 'Nest router, guards, pipes, interceptors (self)', mode: 'self',
    match: (f) => has(f.category ?? '', '@nestjs/core', '@nestjs/common', '@nestjs/platform-fastify', 'rxjs', 'reflect-metadata') },
  { name: 'body parsing (JSON, secure-json-parse)', mode: 'inclusive', match: (f) => has(f.url, '/secure-json-parse/') },
  { name: 'body schema validation (ajv via fastify)', mode: 'inclusive',
    match: (f) => f.functionName === 'validate' && has(f.url, 'fastify/lib/validation') },
  { name: 'response serialization (fastify serialize / fast-json-stringify)', mode: 'inclusive',
    match: (f) => (f.functionName === 'serialize' && has(f.url, 'fastify/lib/reply')) || has(f.url, '/fast-json-stringify/') },
  { name: 'TypeORM + pg (cache misses, last-used flush)', mode: 'inclusive',
    match: (f) => has(f.url, '/typeorm/', '/pg/', '/pg-protocol/', '/pg-pool/') },
  { name: 'request id (genReqId → newId → randomBytes)', mode: 'inclusive', match: (f) => f.functionName === 'genReqId' },
  // As V8 samples it: a sample taken inside the syscall is charged to it even when the thread
  // was off the CPU. The kernel's actual share is the run's system time (the verify report).
  { name: 'socket writes (writev, as sampled; incl. time off the CPU)', mode: 'self', match: (f) => f.category === 'node:stream_base_commons' },
  { name: 'garbage collector', mode: 'self', match: (f) => f.functionName === '(garbage collector)' },
];

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

  // Concerns: walk each sampled node's stack once.
  const concernMs = CONCERNS.map(() => 0);
  const frameOf = (id) => {
    const n = nodes.get(id);
    return { functionName: n.callFrame.functionName, url: n.callFrame.url, category: chargedCat.get(id) };
  };
  for (const [id, ms] of selfByNode) {
    if (nodes.get(id).callFrame.functionName === '(idle)') continue;
    const leaf = frameOf(id);
    const stack = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.push(frameOf(cur));
    CONCERNS.forEach((concern, i) => {
      if (concern.mode === 'self' ? concern.match(leaf) : stack.some(concern.match)) concernMs[i] += ms;
    });
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
    concerns: CONCERNS.map((c, i) => ({ name: c.name, mode: c.mode, ms: Math.round(concernMs[i]), pctOfBusy: pct(concernMs[i]) })),
  };
}

export function formatSummary(summary, { top = 25 } = {}) {
  const lines = [];
  lines.push(`  profile: ${summary.totalMs} ms, busy ${summary.busyMs} ms (${Math.round((100 * summary.busyMs) / summary.totalMs)}%), ${summary.samples} samples; percentages are of busy time`);
  lines.push('');
  lines.push('  by concern (overlapping; inclusive unless marked self):');
  for (const c of summary.concerns ?? []) {
    const perRequest = summary.requests ? `  ${((1000 * c.ms) / summary.requests).toFixed(1).padStart(6)} µs/req` : '';
    lines.push(`    ${String(c.pctOfBusy).padStart(5)}%  ${String(c.ms).padStart(6)} ms${perRequest}  ${c.name}`);
  }
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
