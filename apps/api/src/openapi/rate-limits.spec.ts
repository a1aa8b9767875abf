import type { OpenAPIObject } from '@nestjs/swagger';
import { withRateLimits } from './rate-limits';

const ENVELOPE = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } };
const RATE_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];
const refs = (names: string[]) => Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

function documentWith(security: OpenAPIObject['security']): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: { title: 'test', version: '1' },
    security: [{ bearer: [] }],
    paths: {
      '/v1/things': {
        get: {
          operationId: 'ThingsController_list',
          ...(security === undefined ? {} : { security }),
          responses: { '200': { description: 'the things' }, '4XX': { description: 'refused', content: ENVELOPE } },
        },
      },
    },
  };
}

describe('withRateLimits', () => {
  it('gives a route under the default security a 429 with Retry-After, and the X-RateLimit-* headers on each answer', () => {
    const document = withRateLimits(documentWith(undefined));
    expect(document.paths['/v1/things'].get?.responses).toEqual({
      '200': { description: 'the things', headers: refs(RATE_HEADERS) },
      '4XX': { description: 'refused', content: ENVELOPE, headers: refs(RATE_HEADERS) },
      '429': { description: expect.stringContaining('RATE_LIMITED'), content: ENVELOPE, headers: refs(['Retry-After', ...RATE_HEADERS]) },
    });
    expect(Object.keys(document.components?.headers ?? {}).sort()).toEqual(['Retry-After', ...RATE_HEADERS].sort());
  });

  it('leaves a public route (no security) without a 429 or rate-limit headers', () => {
    const input = documentWith([]);
    expect(withRateLimits(input).paths['/v1/things']).toEqual(input.paths['/v1/things']);
  });
});
