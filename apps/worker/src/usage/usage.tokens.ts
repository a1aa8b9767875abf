export const USAGE_CONFIG = Symbol('USAGE_CONFIG');
