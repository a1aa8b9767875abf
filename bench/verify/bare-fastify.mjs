// Baseline for the verify benchmark: the same HTTP stack Keywarden runs on (Fastify 5),
// with nothing else. It parses the JSON body (Fastify's default parser) and answers a
// small fixed JSON, so the gap to Keywarden is everything Keywarden does per request:
// Nest routing, guards/passport, key parsing + HMAC + cache, logging, serialization.
//
//   PORT=3000 HOST=127.0.0.1 node bench/verify/bare-fastify.mjs
//
// Started by run.mjs as a child process, like the API, so both get the same treatment.
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const app = Fastify({ logger: false });

app.post('/verify', async (request) => {
  // Touch the parsed body so parsing cannot be skipped or optimised away.
  if (typeof request.body?.key !== 'string') return { valid: false, code: 'UNAUTHORIZED' };
  return { valid: true, code: 'VALID' };
});

// The same server answering what Keywarden answers a plain verify: its fields, ids of the
// same length and its six extra headers (request id, no-store and nosniff, the caller's rate limit). A second
// reference: the part of the gap that is the size of the answer itself, not our work.
const KEYWARDEN_ANSWER = {
  valid: true,
  code: 'VALID',
  keyId: 'key_01m95s27n7b357x5myh0986afx',
  appId: 'app_01m95s27krsnbr563kcq9m93gh',
  env: 'live',
  scopes: ['orders.read'],
  expiresAt: null,
};
app.post('/verify-keywarden-answer', async (request, reply) => {
  if (typeof request.body?.key !== 'string') return { valid: false, code: 'UNAUTHORIZED' };
  reply
    .header('x-request-id', 'req_01m95vfnph03383vcc4f81bwer')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('x-ratelimit-limit', 1_000_000_000)
    .header('x-ratelimit-remaining', 999_999_999)
    .header('x-ratelimit-reset', Math.ceil(Date.now() / 60_000) * 60);
  return KEYWARDEN_ANSWER;
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

await app.listen({ port, host });
