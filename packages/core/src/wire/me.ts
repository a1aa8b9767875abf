export interface Me {
  keyId: string;
  kind: 'admin' | 'app';
  workspaceId: string;
  name: string;
  prefix: string;
  scopes: string[];
  /** Admin keys: apps it may act on (null = all). App keys: its own app. */
  appIds: string[] | null;
  environment: string;
  expiresAt: string | null;
}
