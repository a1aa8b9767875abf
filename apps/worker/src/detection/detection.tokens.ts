export const DETECTION_CONFIG = Symbol('DETECTION_CONFIG');
/** The deployment's key invalidation channel (namespaced by its queue prefix). */
export const KEY_INVALIDATION_CHANNEL = Symbol('KEY_INVALIDATION_CHANNEL');
