import { endpointReceives } from './webhook-dispatcher.service';

const event = (customer_id: string | null) => ({ id: 'msg_1', workspace_id: 'ws_1', app_id: 'app_1', customer_id, type: 'key.created' as const });
const endpoint = (customer_id: string | null, event_types: Array<'key.created' | 'key.revoked'> = []) => ({
  id: 'ep_1',
  app_id: 'app_1',
  customer_id,
  event_types,
});

describe('endpointReceives', () => {
  it.each([
    ['an app-wide endpoint, an event about no customer', endpoint(null), event(null), true],
    ['an app-wide endpoint, an event about a customer', endpoint(null), event('cus_a'), true],
    ["a customer's endpoint, an event about that customer", endpoint('cus_a'), event('cus_a'), true],
    ["a customer's endpoint, an event about another customer", endpoint('cus_a'), event('cus_b'), false],
    ["a customer's endpoint, an event about no customer", endpoint('cus_a'), event(null), false],
    ["a customer's endpoint not subscribed to the type", endpoint('cus_a', ['key.revoked']), event('cus_a'), false],
  ])('%s: %s', (_label, subscribed, claimed, expected) => {
    expect(endpointReceives(subscribed, claimed)).toBe(expected);
  });

  it('never crosses apps', () => {
    expect(endpointReceives({ ...endpoint(null), app_id: 'app_2' }, event(null))).toBe(false);
  });
});
