/**
 * The public surface of @keywarden/sdk: the client, the verify middleware, webhook
 * verification, the errors, and the API's wire types (as types). Everything else the
 * SDK is built from stays inside it.
 */
export { Keywarden } from './client';
export type {
  AdminKeysResource,
  AlertsResource,
  AppsResource,
  AuditResource,
  BulkKeysOptions,
  CustomersResource,
  KeysResource,
  KeywardenOptions,
  LeaksResource,
  PortalResource,
  RevokeAdminKeyOptions,
  UsageResource,
  VerifyKeyOptions,
  WebhooksResource,
} from './client';
export { KeywardenError } from './errors';
export type { KeywardenErrorCode, KeywardenErrorInit } from './errors';
export { verifyWebhook, WebhookVerificationError } from './webhooks';
export type { VerifyWebhookOptions, WebhookBody, WebhookHeaders, WebhookVerificationErrorCode } from './webhooks';
export * from './middleware';
export type * from './wire';
