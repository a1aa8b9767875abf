import type { KeyStatus } from '@keywarden/core';
import type { ApiKeyEntity } from '@keywarden/db';
import type { SelectQueryBuilder } from 'typeorm';

/** Keys (alias `k`) whose displayed status is `status`: `expired` is derived from expires_at. */
export function whereStatus(builder: SelectQueryBuilder<ApiKeyEntity>, status: KeyStatus): void {
  if (status === 'expired') builder.andWhere(`k.status = 'active' AND k.expires_at <= now()`);
  else if (status === 'active') builder.andWhere(`k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > now())`);
  else builder.andWhere('k.status = :status', { status });
}
