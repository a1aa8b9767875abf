import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import { ApiError } from '../common/api-error';
import { sendError } from '../common/error.filter';
import type { GithubSignatureService } from './github-signature.service';

export const GITHUB_SCANNING_ROUTE = '/v1/leaks/github';
/** Which of GitHub's published secret scanning keys signed the body. */
export const GITHUB_KEY_IDENTIFIER_HEADER = 'github-public-key-identifier';
/** The body's signature: ECDSA P-256 / SHA-256 over the raw bytes, base64 DER. */
export const GITHUB_SIGNATURE_HEADER = 'github-public-key-signature';
/** 10,000 tokens with their URLs fit with room to spare. */
export const GITHUB_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/** Set on a GitHub request whose signature checked out; `forget` lets GitHub retry it after a failure. */
export interface GithubSignedRequest {
  githubSignature?: { forget: () => Promise<void> };
}

/** Answered as every route answers an error: a 503 with its Retry-After, an unexpected error logged. */
function refuse(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  sendError(error, request, reply);
  return reply;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The route's preParsing hook: the signature covers the raw bytes, so they are read and
 * checked before anything parses them; a forged, replayed, truncated or unsigned request
 * is refused (401) before its JSON is even looked at. The checked bytes are then handed
 * on to the JSON parser unchanged.
 */
export function githubSignatureHook(signatures: () => GithubSignatureService): preParsingAsyncHookHandler {
  return async function checkGithubSignature(request, reply, payload) {
    // Refused before its signature is checked: a checked body counts as received, and this
    // one could then never be sent again as JSON.
    if (header(request, 'content-type')?.split(';')[0].trim().toLowerCase() !== 'application/json') {
      return refuse(request, reply, new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json'));
    }
    if (Number(request.headers['content-length'] ?? 0) > GITHUB_BODY_LIMIT_BYTES) {
      return refuse(request, reply, new ApiError('PAYLOAD_TOO_LARGE'));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > GITHUB_BODY_LIMIT_BYTES) return refuse(request, reply, new ApiError('PAYLOAD_TOO_LARGE'));
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    try {
      (request as GithubSignedRequest).githubSignature = await signatures().check({
        keyIdentifier: header(request, GITHUB_KEY_IDENTIFIER_HEADER),
        signature: header(request, GITHUB_SIGNATURE_HEADER),
        body,
      });
    } catch (error) {
      return refuse(request, reply, error);
    }
    const checked = Readable.from([body]) as Readable & { receivedEncodedLength?: number };
    checked.receivedEncodedLength = body.length;
    return checked;
  } as preParsingAsyncHookHandler;
}
