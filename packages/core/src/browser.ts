/**
 * The browser-safe part of core: wire types, their closed unions and the scope presets.
 * Nothing here touches node:crypto or runs code at import, so a web bundle (the console)
 * can take it from source and keep only what it uses.
 */
export * from './errors';
export * from './scopes/scopes';
export * from './keys/coverage';
export * from './keys/key-state';
export * from './detection/types';
export * from './wire/common';
export * from './wire/apps';
export * from './wire/keys';
export * from './wire/admin-keys';
export * from './wire/verify';
export * from './schema/json-schema';
export * from './wire/me';
export * from './wire/sessions';
export * from './wire/audit';
export * from './wire/usage';
export * from './wire/events';
export * from './wire/policy';
export * from './wire/customers';
export * from './wire/portal';
export * from './wire/webhooks';
export * from './wire/alerts';
export * from './wire/leaks';
export * from './wire/containment';
