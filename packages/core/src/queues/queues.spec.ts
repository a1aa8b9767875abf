import { QUEUE_PREFIX_PATTERN, queuePrefixForDeployment } from './queues';

describe('queuePrefixForDeployment', () => {
  it('names the namespace after the deployment id', () => {
    expect(queuePrefixForDeployment('3f2a9c0d1b4e5f60')).toBe('kw-3f2a9c0d1b4e5f60');
  });

  it('gives different deployments different namespaces', () => {
    expect(queuePrefixForDeployment('3f2a9c0d1b4e5f60')).not.toBe(queuePrefixForDeployment('3f2a9c0d1b4e5f61'));
  });

  it('always yields a namespace BullMQ keys can carry, whatever the id holds', () => {
    for (const id of ['3f2a9c0d1b4e5f60', 'a:b{c}d e', 'x'.repeat(200)]) {
      expect(queuePrefixForDeployment(id)).toMatch(QUEUE_PREFIX_PATTERN);
    }
  });
});
