import { WebGate } from './fetch';
import { attachIdentity } from './identity';
import type { KeywardenIdentity, KeywardenMiddlewareOptions } from './types';

/** The variable the middleware sets: `c.get('keywarden')` in the handlers. */
export interface KeywardenHonoVariables {
  keywarden: KeywardenIdentity | null;
}

/** `new Hono<KeywardenHonoEnv>()` types `c.get('keywarden')`. */
export interface KeywardenHonoEnv {
  Variables: KeywardenHonoVariables;
}

/** The parts of Hono's `Context` the middleware uses. */
export interface HonoLikeContext {
  req: { raw: Request };
  res: Response;
  set(key: 'keywarden', value: KeywardenIdentity | null): void;
}

/**
 * Hono middleware: `app.use('/v1/*', keywardenHono({ client, scope }))`. A refusal is
 * answered here; otherwise `c.get('keywarden')` (and `keywardenIdentity(c)`) holds the identity for the handlers,
 * and the response gets the key's `X-RateLimit-*` headers. The option callbacks get
 * Hono's context (e.g. `ip: (c) => getConnInfo(c).remote.address`). Hono itself is not
 * loaded by the SDK.
 */
export function keywardenHono<C extends HonoLikeContext = HonoLikeContext>(options: KeywardenMiddlewareOptions<C>) {
  const gate = new WebGate(options);
  return async function keywardenMiddleware(c: C, next: () => Promise<void>): Promise<Response | undefined> {
    const outcome = await gate.check(c, c.req.raw);
    if (outcome instanceof Response) return outcome;
    c.set('keywarden', outcome.admission.identity);
    // keywardenIdentity(c) and keywardenIdentity(c.req.raw) find it too, as for every framework.
    attachIdentity(c, outcome.admission.identity);
    attachIdentity(c.req.raw, outcome.admission.identity);
    try {
      await next();
    } catch (error) {
      outcome.release();
      throw error;
    }
    c.res = gate.complete(outcome, c.res);
    return undefined;
  };
}
