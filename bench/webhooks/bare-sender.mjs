#!/usr/bin/env node
// Baseline for bench/webhooks: the same signed POSTs the worker sends (same body size, same
// headers, keep-alive, same concurrency), straight from a loop: no outbox, no queue, no
// database, no SSRF check. Usage: node bare-sender.mjs <url> <count> <concurrency>
import { createHmac, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';

const [url, countText, concurrencyText] = process.argv.slice(2);
const count = Number(countText);
const concurrency = Number(concurrencyText);
const target = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const secret = randomBytes(32);

function post(n) {
  const id = `msg_bare_${n}`;
  const body = JSON.stringify({ type: 'key.created', timestamp: new Date().toISOString(), data: { n } });
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method: 'POST',
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const cpuAtStart = process.cpuUsage();
let next = 0;
async function lane() {
  while (next < count) await post(next++);
}
await Promise.all(Array.from({ length: concurrency }, lane));
const cpu = process.cpuUsage(cpuAtStart);
// The caller reads the sender's CPU time from this line.
process.stdout.write(`${JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
agent.destroy();
