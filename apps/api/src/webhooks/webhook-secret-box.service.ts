import { Inject, Injectable } from '@nestjs/common';
import { deriveSecretBoxKey, generateWebhookSecret, sealSecret } from '@keywarden/core';
import { API_CONFIG, type ApiConfig } from '../config/api-config';

export interface IssuedWebhookSecret {
  /** `whsec_…`, returned to the caller once. */
  secret: string;
  sealed: string;
}

/** Issues endpoint secrets and seals them under the deployment's pepper; the worker opens them to sign. */
@Injectable()
export class WebhookSecretBox {
  private readonly key: Buffer;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.key = deriveSecretBoxKey(config.pepper);
  }

  issue(endpointId: string): IssuedWebhookSecret {
    const secret = generateWebhookSecret();
    return { secret, sealed: sealSecret(this.key, secret, endpointId) };
  }
}
