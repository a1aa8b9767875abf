import Redis from 'ioredis';
import type { ApiConfig } from '../config/api-config';
import type { Principal } from '../credentials/principal';
import { ApiError } from '../common/api-error';
import { MetricsService } from '../metrics/metrics.service';
import { LeaseService } from './lease.service';

const config = { policy: { leaseTtlMs: 60_000 } } as ApiConfig;
const caller = { workspaceId: 'ws_1', appIds: null } as Principal;

describe('LeaseService.release', () => {
  it('answers 503 SERVICE_UNAVAILABLE when Redis cannot be reached', async () => {
    // Nothing listens on port 1; without the offline queue every command fails at once.
    const away = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    try {
      const failure = await new LeaseService(config, away, new MetricsService()).release(caller, 'lease_1').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApiError);
      expect(failure).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    } finally {
      away.disconnect();
    }
  });

  it('lets a failure outside Redis through as it is, never as a 503', async () => {
    const redis = { kwReserve: () => undefined, get: async () => 'ws_1 app_1 key_1' } as unknown as Redis;
    const broken = { workspaceId: 'ws_1', appIds: 42 } as unknown as Principal;
    const failure = await new LeaseService(config, redis, new MetricsService()).release(broken, 'lease_1').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
  });
});
