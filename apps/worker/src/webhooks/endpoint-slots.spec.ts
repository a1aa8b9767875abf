import { EndpointSlots } from './endpoint-slots';

describe('EndpointSlots', () => {
  it('lets one endpoint hold at most its cap while others still get slots', () => {
    const slots = new EndpointSlots(2);
    expect([slots.tryTake('slow'), slots.tryTake('slow'), slots.tryTake('slow')]).toEqual([true, true, false]);
    expect(slots.tryTake('fast')).toBe(true);
    slots.release('slow');
    expect(slots.tryTake('slow')).toBe(true);
  });

  it('gives a 50-slot worker a cap of 5 per endpoint, and never less than 1', () => {
    expect(EndpointSlots.forConcurrency(50).cap).toBe(5);
    expect(EndpointSlots.forConcurrency(3).cap).toBe(1);
  });
});
