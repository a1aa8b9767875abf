import { infraConfigOf, type InfraConfig, infraEnvSchema, parseEnv } from '@keywarden/db';
import { z } from 'zod';

const workerEnvSchema = infraEnvSchema.extend({
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
});

export interface WorkerConfig extends InfraConfig {
  port: number;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = parseEnv(workerEnvSchema, env);
  return { ...infraConfigOf(parsed), port: parsed.WORKER_PORT };
}
