/**
 * Attempts in flight per endpoint, capped: one slow endpoint holds at most `cap` of the
 * worker's delivery slots, and its other deliveries wait (without an attempt) while the
 * rest of the queue moves on.
 */
export class EndpointSlots {
  private readonly inFlight = new Map<string, number>();

  constructor(readonly cap: number) {}

  /** Takes a slot for the endpoint; false when it already has `cap` attempts in flight. */
  tryTake(endpointId: string): boolean {
    const held = this.inFlight.get(endpointId) ?? 0;
    if (held >= this.cap) return false;
    this.inFlight.set(endpointId, held + 1);
    return true;
  }

  release(endpointId: string): void {
    const held = (this.inFlight.get(endpointId) ?? 1) - 1;
    if (held <= 0) this.inFlight.delete(endpointId);
    else this.inFlight.set(endpointId, held);
  }

  /** The cap for a worker with `concurrency` slots: a tenth of them, at least one. */
  static forConcurrency(concurrency: number): EndpointSlots {
    return new EndpointSlots(Math.max(1, Math.floor(concurrency / 10)));
  }
}
