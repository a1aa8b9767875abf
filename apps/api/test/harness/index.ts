/**
 * E2E harness: real API processes (`startApi`), real workspaces from the CLI
 * (`bootstrapWorkspace`), the SDK wired to register every secret it is handed
 * (`client`), raw HTTP for what the SDK would never send (`rawRequest`), and the leak
 * scan the global teardown runs over every API log of the run.
 */
export * from './api-process';
export * from './cli';
export * from './databases';
export * from './http';
export * from './secrets';
export * from './webhook-receiver';
export * from './tcp-proxy';
export * from './own-redis';
