export { Keywarden } from './client';
export type {
  AdminKeysResource,
  AlertsResource,
  AppsResource,
  AuditResource,
  CustomersResource,
  KeysResource,
  KeywardenOptions,
  PortalResource,
  UsageResource,
  VerifyKeyOptions,
  WebhooksResource,
} from './client';
export { KeywardenError } from './errors';
export type { KeywardenErrorCode, KeywardenErrorInit } from './errors';
export { paginate } from './paginate';
export { verifyWebhook, WebhookVerificationError } from './webhooks';
export type { VerifyWebhookOptions, WebhookHeaders, WebhookVerificationErrorCode } from './webhooks';
export * from './middleware';
export * from '@keywarden/core';
