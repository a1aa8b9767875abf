/**
 * The shapes of Keywarden's HTTP API, as types only: they are declared once in core and
 * used by the API's DTOs and this SDK alike. Queue payloads (usage events and batches,
 * webhook delivery jobs) pass between the API and the worker, never over HTTP, and are
 * left out. `wire-types.spec.ts` fails when core gains a wire type missing here.
 */
export type { AdminKey, AdminKeyCascade, AdminKeyRevocation, CreateAdminKeyRequest, ListAdminKeysQuery } from '@keywarden/core';
export type {
  Alert,
  AlertResolution,
  AlertSeverity,
  AlertStatus,
  AlertType,
  AppDetectionSettings,
  AppDetectionSettingsUpdate,
  ListAlertsQuery,
} from '@keywarden/core';
export type { App, BusinessHours, CreateAppRequest, ListAppsQuery, UpdateAppRequest, Weekday } from '@keywarden/core';
export type { AuditAction, AuditEntry, ListAuditQuery } from '@keywarden/core';
export type {
  CreateCustomerRequest,
  Customer,
  CustomerPolicy,
  CustomerRef,
  CustomerStatus,
  ListCustomersQuery,
  UpdateCustomerRequest,
} from '@keywarden/core';
export type {
  CreatePortalSessionRequest,
  CreatePortalSessionResponse,
  PortalApp,
  PortalBranding,
  PortalCreateKeyRequest,
  PortalExchangeRequest,
  PortalMe,
  PortalPermission,
} from '@keywarden/core';
export type { ErrorBody, ErrorEnvelope, FieldError, Metadata, Page, PageQuery } from '@keywarden/core';
export type {
  KeyContainmentEventData,
  KeyEventData,
  KeyExpiringData,
  KeyLeakedData,
  UsageLimitReachedData,
  WebhookEventType,
  WebhookPayload,
} from '@keywarden/core';
export type {
  AppKey,
  BulkKeyAction,
  BulkKeyFilter,
  BulkKeysRequest,
  BulkKeysResponse,
  CreateKeyRequest,
  KeySecretVersion,
  KeyStatus,
  ListKeysQuery,
  Propagation,
  RotateKeyRequest,
  UpdateKeyRequest,
  WithPropagation,
  WithSecret,
} from '@keywarden/core';
export type { Me } from '@keywarden/core';
export type { ConsoleSession, CreateConsoleSessionRequest } from '@keywarden/core';
export type { AppContainment, AppContainmentUpdate, ContainmentAction, KeyContainment } from '@keywarden/core';
export type {
  GithubTokenLabel,
  GithubTokenReport,
  GithubTokenVerdict,
  LeakAction,
  LeakEvidence,
  LeakReportRecord,
  LeakResponse,
  ReportLeakFields,
  ReportLeakRequest,
  ReportLeakResponse,
  TrafficShare,
} from '@keywarden/core';
export type { AdminKeyPolicy, KeyPolicy, Plan, RateLimits, RateLimitState, ReleaseLeaseResponse } from '@keywarden/core';
export type {
  AccessLogEntry,
  Granularity,
  ListKeyRequestsQuery,
  ReportUsageRequest,
  ReportUsageResponse,
  UsageGroupBy,
  UsagePoint,
  UsageQuery,
  UsageReportItem,
  UsageResponse,
  UsageTotals,
} from '@keywarden/core';
export type { VerifyCode, VerifyKeyRequest, VerifyKeyResponse } from '@keywarden/core';
export type {
  CreateWebhookRequest,
  ListDeliveriesQuery,
  ListWebhooksQuery,
  UpdateWebhookRequest,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookDisabledReason,
  WebhookEndpoint,
  WebhookTestData,
  WithWebhookSecret,
} from '@keywarden/core';
// The closed unions the shapes above are made of.
export type { AdminRole, ErrorCode, ManagementScope, ScopePreset } from '@keywarden/core';
export type { AlertEvidence, DetectionAlertType, Sensitivity } from '@keywarden/core';
