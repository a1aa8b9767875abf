import type { ExactContract } from './exact-contract';

/**
 * The check runs at compile time (`pnpm typecheck`, and ts-jest here): each
 * `@ts-expect-error` below fails the build if the class it marks were accepted.
 */
interface Wire {
  name: string;
  description?: string;
}

describe('ExactContract', () => {
  it('accepts a DTO that declares every field of its wire type, optional ones included', () => {
    class Exact implements ExactContract<Exact, Wire> {
      name = 'n';
      description?: string;
    }
    expect(new Exact().name).toBe('n');
  });

  it('refuses a DTO that leaves out an optional field of its wire type', () => {
    // @ts-expect-error description is missing from the DTO
    class WithoutOptional implements ExactContract<WithoutOptional, Wire> {
      name = 'n';
    }
    expect(new WithoutOptional().name).toBe('n');
  });

  it('refuses a DTO that declares a field its wire type does not have', () => {
    class WithExtra implements ExactContract<WithExtra, Wire> {
      name = 'n';
      description?: string;
      // @ts-expect-error extra is not a field of the wire type
      extra = 1;
    }
    expect(new WithExtra().extra).toBe(1);
  });
});
