export const WEBHOOK_CONFIG = Symbol('WEBHOOK_CONFIG');
