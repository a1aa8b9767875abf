import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { type IdKind, isId } from '@keywarden/core';
import { ApiError } from './api-error';

const RESOURCE_NAMES: Partial<Record<IdKind, string>> = { app: 'App', key: 'Key', adminKey: 'Admin key', lease: 'Lease' };

/** A path id of the wrong shape cannot exist: answer 404 without touching the database. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  constructor(private readonly kind: IdKind) {}

  transform(value: string, _metadata: ArgumentMetadata): string {
    if (!isId(this.kind, value)) throw ApiError.notFound(RESOURCE_NAMES[this.kind] ?? 'Resource');
    return value;
  }
}
