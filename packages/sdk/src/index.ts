export { Keywarden } from './client';
export type {
  AdminKeysResource,
  AppsResource,
  AuditResource,
  KeysResource,
  KeywardenOptions,
  UsageResource,
  VerifyKeyOptions,
} from './client';
export { KeywardenError } from './errors';
export type { KeywardenErrorCode, KeywardenErrorInit } from './errors';
export { paginate } from './paginate';
export * from './middleware';
export * from '@keywarden/core';
