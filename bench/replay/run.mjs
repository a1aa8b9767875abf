// Replay speed: `pnpm replay` of this checkout against other builds of Keywarden (checkouts
// given with --baseline), back to back on the same count files, in the same run. Prints the
// CPU time (user + system, startup included) and the scenario-minutes replayed per CPU-second
// and per wall-clock second of each build, its ratio to the first baseline, and whether each
// build printed the same alerts as this checkout.
//
//   node bench/replay/run.mjs [--baseline DIR]... [--runs N] [--sensitivity S] FILE...
//
// Scenario files: `node scenarios.mjs --seed 1 --count 16 --out DIR` of the detection evaluation.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, table, waitForQuietMachine } from '../lib/harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const CPU_PRELOAD = join(HERE, 'cpu-usage-preload.cjs');
const CPU_MARK = /^bench-cpu-us (\d+)$/m;
const MINUTE_MS = 60_000;

function parseArgs(argv) {
  const options = { builds: [ROOT], runs: 3, sensitivity: 'medium', files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--baseline') options.builds.push(resolve(argv[++i]));
    else if (arg === '--runs') options.runs = Number(argv[++i]);
    else if (arg === '--sensitivity') options.sensitivity = argv[++i];
    else options.files.push(resolve(arg));
  }
  if (!options.files.length || !(options.runs >= 1)) {
    process.stderr.write('usage: node bench/replay/run.mjs [--baseline DIR]... [--runs N] [--sensitivity low|medium|high] FILE...\n');
    process.exit(2);
  }
  return options;
}

/** The text at the start or the end of a file (a few KB: enough for a line of it). */
function edge(file, fromEnd) {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 8192);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, fromEnd ? size - length : 0);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Minutes the replay steps through: from the first minute line's to the last one's. */
function scenarioMinutes(file) {
  const head = edge(file, false).split('\n');
  const tail = edge(file, true).trimEnd().split('\n');
  const first = Date.parse(JSON.parse(head[1]).ts);
  const last = Date.parse(JSON.parse(tail[tail.length - 1]).ts);
  return (last - first) / MINUTE_MS + 1;
}

function replayOnce(build, file, sensitivity) {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--require', CPU_PRELOAD, join(build, 'apps/worker/dist/replay/main.js'), '--sensitivity', sensitivity, file], {
    maxBuffer: 1 << 28,
    encoding: 'utf8',
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = CPU_MARK.exec(child.stderr ?? '');
  if (child.status !== 0 || !cpu) throw new Error(`replay of ${file} by ${build} failed (exit ${child.status}): ${child.stderr}`);
  return { cpuSeconds: Number(cpu[1]) / 1e6, wallSeconds, alerts: createHash('sha256').update(child.stdout).digest('hex') };
}

async function main() {
  const { builds, runs, sensitivity, files } = parseArgs(process.argv.slice(2));
  const minutes = files.map(scenarioMinutes);
  const totalMinutes = minutes.reduce((a, b) => a + b, 0);
  const results = builds.map((build) => ({ build, runs: [], sameAlerts: true }));
  const reference = new Map();
  for (let run = 0; run < runs; run++) {
    await waitForQuietMachine({ quietWait: 60 });
    const totals = results.map(() => ({ cpuSeconds: 0, wallSeconds: 0 }));
    // Builds take turns file by file, so a change in the machine's load hits them alike.
    for (const file of files) {
      results.forEach((result, i) => {
        const once = replayOnce(result.build, file, sensitivity);
        totals[i].cpuSeconds += once.cpuSeconds;
        totals[i].wallSeconds += once.wallSeconds;
        if (i === 0 && !reference.has(file)) reference.set(file, once.alerts);
        if (once.alerts !== reference.get(file)) result.sameAlerts = false;
      });
    }
    results.forEach((result, i) => result.runs.push(totals[i]));
  }
  const base = results.length > 1 ? results[1] : results[0];
  const cpuOf = (r) => median(r.runs.map((x) => x.cpuSeconds));
  const wallOf = (r) => median(r.runs.map((x) => x.wallSeconds));
  console.log(`${files.length} files, ${totalMinutes} scenario-minutes per run, ${runs} runs, sensitivity ${sensitivity}; medians of the runs`);
  console.log(
    table(results, [
      { title: 'build', left: true, get: (r) => (r.build === ROOT ? 'this checkout' : basename(r.build)) },
      { title: 'CPU s', get: (r) => cpuOf(r).toFixed(2) },
      { title: 'CPU s min-max', get: (r) => `${Math.min(...r.runs.map((x) => x.cpuSeconds)).toFixed(2)}-${Math.max(...r.runs.map((x) => x.cpuSeconds)).toFixed(2)}` },
      { title: 'min/CPU-s', get: (r) => Math.round(totalMinutes / cpuOf(r)) },
      { title: 'wall s', get: (r) => wallOf(r).toFixed(2) },
      { title: 'min/wall-s', get: (r) => Math.round(totalMinutes / wallOf(r)) },
      { title: `CPU vs ${base.build === ROOT ? 'this checkout' : basename(base.build)}`, get: (r) => `${(cpuOf(r) / cpuOf(base)).toFixed(2)}x` },
      { title: 'same alerts as this checkout', get: (r) => (r.sameAlerts ? 'yes' : 'no') },
    ]),
  );
}

await main();
