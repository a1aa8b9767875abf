import { queuePrefixForDeployment } from '@keywarden/core';
import { readDeploymentId } from '@keywarden/db';
import type { InfraConfig } from './infra-config';

/**
 * Fills in the queue namespace at start: KW_QUEUE_PREFIX when set, otherwise one derived
 * from the database's deployment id, so API and worker of one deployment agree without
 * configuration and other deployments on the same Redis stay apart.
 */
export async function resolveQueueNamespace<C extends InfraConfig>(config: C): Promise<C & { queuePrefix: string }> {
  if (config.queuePrefix) return config as C & { queuePrefix: string };
  return { ...config, queuePrefix: queuePrefixForDeployment(await readDeploymentId(config.databaseUrl)) };
}

/** The resolved namespace; a process that skipped resolveQueueNamespace fails loudly. */
export function queuePrefixOf(config: InfraConfig): string {
  if (!config.queuePrefix) throw new Error('queue namespace not resolved: call resolveQueueNamespace at start');
  return config.queuePrefix;
}
