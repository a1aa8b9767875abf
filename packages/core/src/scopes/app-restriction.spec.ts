import { canActOnApp, restrictionWithin } from './app-restriction';

describe('canActOnApp', () => {
  it.each<[string[] | null, string, boolean]>([
    [null, 'app_1', true],
    [['app_1'], 'app_1', true],
    [['app_1', 'app_2'], 'app_2', true],
    [['app_1'], 'app_2', false],
    [[], 'app_1', false],
    [['app_1'], 'app_', false],
    [['app_1'], 'app_10', false],
  ])('with appIds %p, acting on %j is %p', (appIds, appId, expected) => {
    expect(canActOnApp(appIds, appId)).toBe(expected);
  });
});

describe('restrictionWithin', () => {
  it.each<[string[] | null, string[] | null, boolean]>([
    [null, null, true],
    [null, ['app_1'], true],
    [null, [], true],
    [['app_1'], null, false],
    [[], null, false],
    [['app_1', 'app_2'], ['app_1'], true],
    [['app_1', 'app_2'], ['app_2', 'app_1'], true],
    [['app_1'], ['app_1'], true],
    [['app_1'], [], true],
    [[], [], true],
    [['app_1'], ['app_1', 'app_2'], false],
    [['app_1'], ['app_2'], false],
    [[], ['app_1'], false],
  ])('granter %p may hand out %p: %p', (granter, requested, expected) => {
    expect(restrictionWithin(granter, requested)).toBe(expected);
  });
});
