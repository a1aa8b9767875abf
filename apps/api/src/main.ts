import 'reflect-metadata';
import { assertSchemaUpToDate } from '@keywarden/db';
import { holdTickObjectShape, resolveQueueNamespace } from '@keywarden/platform';
import { createApiApp } from './app.factory';
import { loadApiConfig } from './config/api-config';

async function main(): Promise<void> {
  // Keeps V8 building Node's tick objects inline; again once started (see there).
  holdTickObjectShape();
  const config = await resolveQueueNamespace(loadApiConfig());
  await assertSchemaUpToDate(config.databaseUrl);
  const app = await createApiApp(config);
  // A stuck connection must not keep a terminating instance alive forever.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref());
  }
  await app.listen(config.port, config.host);
  holdTickObjectShape();
}

main().catch((error: Error) => {
  process.stderr.write(`keywarden api failed to start: ${error.message}\n`);
  process.exit(1);
});
