import { Inject, Injectable } from '@nestjs/common';
import { generateKey, hashKey, newId, parseKey, type KeyParseResult } from '@keywarden/core';
import { API_CONFIG, type ApiConfig } from '../config/api-config';

export interface IssuedSecret {
  id: string;
  /** The full key, returned to the caller once. */
  key: string;
  hash: Buffer;
  prefix: string;
}

/** Key generation and hashing bound to this deployment's brand and pepper. */
@Injectable()
export class KeyMaterialService {
  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  issue(environment: string): IssuedSecret {
    const { key, prefix } = generateKey(this.config.keyBrand, environment);
    return { id: newId('keySecret'), key, hash: this.hash(key), prefix };
  }

  parse(candidate: string): KeyParseResult {
    return parseKey(candidate, this.config.keyBrand);
  }

  hash(key: string): Buffer {
    return hashKey(this.config.pepper, key);
  }
}
