import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  GITHUB_TOKEN_REPORT_SCHEMA,
  type GithubTokenReport,
  type GithubTokenVerdict,
  MAX_GITHUB_TOKENS,
  type ReportLeakResponse,
} from '@keywarden/core';
import { Public, RequireScopes } from '@keywarden/platform';
import type { FastifyRequest } from 'fastify';
import { CurrentActor } from '../auth/actor.decorator';
import { ApiError } from '../common/api-error';
import { WithoutRequestDeadline } from '../common/request-deadline';
import type { Actor } from '../credentials/principal';
import { ReportLeakDto } from './dto/report-leak.dto';
import { GITHUB_KEY_IDENTIFIER_HEADER, GITHUB_SIGNATURE_HEADER, type GithubSignedRequest } from './github-raw-body';
import { LeaksService } from './leaks.service';

@ApiTags('leaks')
@Controller('v1/leaks')
export class LeaksController {
  constructor(private readonly leaks: LeaksService) {}

  /**
   * A leaked key, found by any scanner or a person, by the key itself or its id: the app's
   * leak response is applied, a `leak` alert opened (or joined, within 24 h), `key.leaked` sent.
   */
  @Post()
  @HttpCode(200)
  @RequireScopes('keys.revoke')
  report(@CurrentActor() actor: Actor, @Body() dto: ReportLeakDto): Promise<ReportLeakResponse> {
    return this.leaks.report(actor, dto);
  }

  /**
   * GitHub secret scanning partner endpoint (no key: GitHub signs the body with ECDSA
   * P-256; see docs/leaks.md). Answers each token as true_positive (a key of ours) or
   * false_positive.
   */
  @Post('github')
  @HttpCode(200)
  @Public()
  // Up to 10,000 tokens, each of ours confirmed in its own transaction: a 503 half-way
  // would leave the work running, and GitHub's retry of the same body refused as a replay.
  @WithoutRequestDeadline()
  @ApiOperation({
    description:
      'GitHub secret scanning partner endpoint. No key: GitHub signs the raw body, and an unsigned, forged, truncated or replayed request is refused (401) and changes nothing.',
  })
  @ApiHeader({ name: GITHUB_KEY_IDENTIFIER_HEADER, required: true, description: "Which of GitHub's published secret scanning public keys signed the body." })
  @ApiHeader({ name: GITHUB_SIGNATURE_HEADER, required: true, description: 'ECDSA P-256 / SHA-256 signature of the raw body, base64 DER.' })
  @RouteSchema({ body: GITHUB_TOKEN_REPORT_SCHEMA })
  @ApiBody({ schema: GITHUB_TOKEN_REPORT_SCHEMA as object })
  async github(@Req() request: FastifyRequest & GithubSignedRequest, @Body() tokens: GithubTokenReport[]): Promise<GithubTokenVerdict[]> {
    const signature = request.githubSignature;
    if (!signature) throw new ApiError('UNAUTHORIZED', 'Missing GitHub signature');
    if (tokens.length > MAX_GITHUB_TOKENS) {
      await signature.forget();
      throw new ApiError('PAYLOAD_TOO_LARGE', `At most ${MAX_GITHUB_TOKENS} tokens per request`);
    }
    try {
      return await this.leaks.reportFromGithub(tokens);
    } catch (error) {
      await signature.forget();
      throw error;
    }
  }
}
