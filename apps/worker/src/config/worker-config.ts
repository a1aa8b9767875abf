import { infraEnvSchema, parseEnv } from '@keywarden/db';
import { z } from 'zod';

const workerEnvSchema = infraEnvSchema.extend({
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  HOST: z.string().min(1).default('0.0.0.0'),
  KW_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
});

export interface WorkerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  logLevel: string;
  shutdownTimeoutMs: number;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = parseEnv(workerEnvSchema, env);
  return {
    port: parsed.WORKER_PORT,
    host: parsed.HOST,
    databaseUrl: parsed.DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    logLevel: parsed.LOG_LEVEL,
    shutdownTimeoutMs: parsed.KW_SHUTDOWN_TIMEOUT_MS,
  };
}
