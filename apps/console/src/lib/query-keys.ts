/** Query keys shared by features, so one mutation can refresh what another page shows. */
export const queryKeys = {
  apps: ['apps'] as const,
  app: (id: string) => ['apps', id] as const,
  keys: ['keys'] as const,
  key: (id: string) => ['keys', 'one', id] as const,
  alerts: ['alerts'] as const,
  webhooks: ['webhooks'] as const,
  usage: ['usage'] as const,
  audit: ['audit'] as const,
  adminKeys: ['admin-keys'] as const,
  customers: ['customers'] as const,
  customer: (id: string) => ['customers', 'one', id] as const,
};
