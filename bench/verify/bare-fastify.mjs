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

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

await app.listen({ port, host });
