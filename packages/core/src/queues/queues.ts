/**
 * BullMQ queue and job names, shared by every producer (api, worker, benches, tests) and
 * consumer (worker). Queues live under the deployment's queue namespace (the BullMQ key
 * prefix, `KW_QUEUE_PREFIX`), so two deployments on one Redis never share one.
 */
export const QUEUES = {
  /** UsageBatchJob: the API's metered events, rolled up by the worker. */
  usage: 'usage-batches',
  /** WebhookDeliveryJob: one delivery of one event to one endpoint. */
  webhooks: 'webhook-deliveries',
} as const;

/** The job name of each queue's jobs (one kind of job per queue). */
export const JOBS = {
  usageBatch: 'batch',
  webhookDelivery: 'deliver',
} as const;

/** What a queue namespace (BullMQ prefix) may be made of. */
export const QUEUE_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The namespace derived from a deployment's database identity (see the
 * deployment_identity table): the same for every process of the deployment, different
 * for every other database.
 */
export function queuePrefixForDeployment(deploymentId: string): string {
  return `kw-${deploymentId.replace(/[^A-Za-z0-9]/g, '').slice(0, 32)}`;
}
