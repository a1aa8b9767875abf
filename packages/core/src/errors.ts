/** Every error code the API can answer with; closed, so clients can switch on it. */
export const ERROR_STATUS = {
  UNAUTHORIZED: 401,
  KEY_REVOKED: 401,
  KEY_EXPIRED: 401,
  KEY_DISABLED: 401,
  INSUFFICIENT_PERMISSIONS: 403,
  CSRF_TOKEN_INVALID: 403,
  IP_NOT_ALLOWED: 403,
  MODEL_NOT_ALLOWED: 403,
  HTTPS_REQUIRED: 403,
  RATE_LIMITED: 429,
  USAGE_EXCEEDED: 429,
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

/** The public default message of each code; never contains request data. */
export const DEFAULT_ERROR_MESSAGES: Record<ErrorCode, string> = {
  UNAUTHORIZED: 'Invalid API key',
  KEY_REVOKED: 'API key has been revoked',
  KEY_EXPIRED: 'API key has expired',
  KEY_DISABLED: 'API key is disabled',
  INSUFFICIENT_PERMISSIONS: 'API key lacks the required scope',
  CSRF_TOKEN_INVALID: 'Missing or invalid X-CSRF-Token header for this session',
  IP_NOT_ALLOWED: 'Client IP address is not allowed for this key',
  MODEL_NOT_ALLOWED: 'Model is not allowed for this key',
  HTTPS_REQUIRED: 'This deployment accepts HTTPS requests only',
  RATE_LIMITED: 'Rate limit exceeded',
  USAGE_EXCEEDED: 'Usage limit exceeded',
  VALIDATION_FAILED: 'Request validation failed',
  NOT_FOUND: 'Resource not found',
  METHOD_NOT_ALLOWED: 'Method not allowed on this path',
  CONFLICT: 'Resource conflicts with the current state',
  PAYLOAD_TOO_LARGE: 'Request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Request body must be application/json',
  INTERNAL_ERROR: 'Internal server error',
  SERVICE_UNAVAILABLE: 'Service unavailable',
};

export const API_KEY_REQUIRED_MESSAGE = 'API key required';
