import { ROLE_SCOPES } from '../scopes/scopes';
import { PORTAL_PERMISSIONS, scopeNeededToGrant } from './portal';

describe('scopeNeededToGrant', () => {
  it.each([
    [['keys.read'], 'keys.read', undefined],
    [['keys.read'], 'keys.create', 'keys.write'],
    [['keys.write'], 'keys.rotate', undefined],
    [['keys.write'], 'keys.revoke', 'keys.revoke'],
    [['keys.*'], 'keys.revoke', undefined],
    [['webhooks.read'], 'webhooks.manage', 'webhooks.write'],
    [['webhooks.write'], 'webhooks.manage', 'webhooks.read'],
    [['webhooks.*'], 'webhooks.manage', undefined],
    [[], 'usage.read', 'usage.read'],
  ] as const)('%j granting %s needs %s', (granted, permission, needed) => {
    expect(scopeNeededToGrant(granted, permission)).toBe(needed);
  });

  it('lets an owner and an admin grant every permission', () => {
    for (const permission of PORTAL_PERMISSIONS) {
      expect(scopeNeededToGrant(ROLE_SCOPES.owner, permission)).toBeUndefined();
      expect(scopeNeededToGrant(ROLE_SCOPES.admin, permission)).toBeUndefined();
    }
  });
});
