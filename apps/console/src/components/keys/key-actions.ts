/** What each status change does, as the confirmation dialog says it. */
export type KeyAction = 'revoke' | 'disable' | 'enable';

export const KEY_ACTION_CONFIRMATION: Record<KeyAction, { title: string; label: string; text: string; danger: boolean }> = {
  revoke: {
    title: 'Revoke this key?',
    label: 'Revoke key',
    text: 'Every API instance refuses the key at once. Revocation is final: to pause a key, disable it instead.',
    danger: true,
  },
  disable: { title: 'Disable this key?', label: 'Disable key', text: 'Verify refuses the key (KEY_DISABLED) until you enable it again.', danger: false },
  enable: { title: 'Enable this key?', label: 'Enable key', text: 'The key verifies again.', danger: false },
};

/** The portal's revoke: customers have no disable, so there is no pause to point them to. */
export const PORTAL_REVOKE_CONFIRMATION = {
  ...KEY_ACTION_CONFIRMATION.revoke,
  text: 'Every API instance refuses the key at once. Revocation is final: the key cannot be used again.',
};
