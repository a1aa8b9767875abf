import { NestFactory, Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { newId } from '@keywarden/core';
import { createFastifyAdapter, createLogger, NEST_START_OPTIONS } from '@keywarden/platform';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { ApiError } from './common/api-error';
import { repeatedCredentialHeader } from './common/api-headers';
import { bodyIssue } from './common/body-guard';
import { RequestDeadlineInterceptor } from './common/request-deadline';
import { ErrorFilter, sendError } from './common/error.filter';
import { consoleDir, registerConsolePages } from './console/console-pages';
import { errorResponse } from './common/error-response';
import { PortalService } from './portal/portal.service';
import { createValidationPipe } from './common/validation.pipe';
import { GITHUB_BODY_LIMIT_BYTES, GITHUB_SCANNING_ROUTE, githubSignatureHook } from './leaks/github-raw-body';
import { GithubSignatureService } from './leaks/github-signature.service';
import { proxyTrustOf } from './transport/proxy-trust';
import { hstsOf, installTransportSecurity } from './transport/transport-security';
import type { ApiConfig } from './config/api-config';
import { KeyAuthenticator } from './auth/key-authenticator.service';
import { completionLogLevel, writeRequestCompletion } from './common/request-log';
import { KeysService } from './keys/keys.service';
import { serverWithVerifyFastPath, VerifyFastPath } from './keys/verify-fast-path';
import { registerVerifyRoute, VERIFY_OPENAPI_PATH, VERIFY_ROUTE, type VerifyRequest } from './keys/verify.route';
import { MetricsService } from './metrics/metrics.service';
import { PolicyService } from './policy/policy.service';
import { RequestMetering } from './usage/request-metering';
import { withNullTypes } from './openapi/nullable';
import { withClosedRequestBodies } from './openapi/request-schemas';
import { withRateLimits } from './openapi/rate-limits';
import { loadResponseSchemas, withResponseSchemas } from './openapi/response-schemas';
import { routeAccessOf, withRouteSecurity } from './openapi/security';
import { withValidatorBounds } from './openapi/validator-bounds';

/** POST /v1/usage: 1000 items of at most ~500 bytes each. */
const REPORT_BODY_LIMIT_BYTES = 1024 * 1024;
/** POST /v1/keys/bulk: 10,000 key ids of 30 characters. */
const BULK_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Errors Fastify answers before routing, where the exception filter never runs. Its own
 * answers quote the raw path (which may hold a key) outside the error envelope.
 */
function frameworkError(error: { code?: string }): ApiError {
  if (error.code === 'FST_ERR_BAD_URL') {
    return new ApiError('VALIDATION_FAILED', 'Malformed request URL', [{ field: 'url', message: 'is not a valid URL' }]);
  }
  // A path parameter longer than any id cannot name anything.
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return new ApiError('NOT_FOUND');
  return new ApiError('INTERNAL_ERROR');
}

/**
 * A POST that needs no body (a test delivery, a secret rotation, a revocation) is sent by
 * many HTTP clients with `Content-Type: application/json` and nothing after it: that is no
 * body, as without the header, not malformed JSON. Any other body is parsed as before.
 */
function acceptEmptyJsonBodies(fastify: FastifyInstance): void {
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = fastify.initialConfig as FastifyServerOptions;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    parseJson(request, body as string, done);
  });
}

function setupOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Keywarden API')
      .setDescription(
        'Issue, verify, police and audit API keys. A request body field or a query parameter the operation does not declare is refused (400 VALIDATION_FAILED), never ignored, and so is a query parameter given twice. An app, key, customer or admin key a filter names that the caller cannot see is 404, as in a path. A method a path does not have is refused with 405 METHOD_NOT_ALLOWED and an Allow header listing the methods it has.',
      )
      .setVersion('1')
      // 3.1: response schemas are JSON Schema as generated from the wire types (`type: [T, 'null']`).
      .setOpenAPIVersion('3.1.0')
      .build(),
  );
  // The verify route is a plain Fastify route, not a Nest controller: its entry is added by hand.
  document.paths[VERIFY_ROUTE] = VERIFY_OPENAPI_PATH;
  const withResponses = withResponseSchemas(document, loadResponseSchemas());
  const withSecurity = withRateLimits(withRouteSecurity(withResponses, routeAccessOf(app)));
  SwaggerModule.setup('docs', app, withNullTypes(withClosedRequestBodies(withValidatorBounds(withSecurity))));
}

export async function createApiApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const logger = createLogger('api', config.logLevel);
  const trust = proxyTrustOf(config.trustProxy);
  let verifyFastPath: VerifyFastPath | undefined;
  const adapter = createFastifyAdapter(logger, {
    serverFactory: serverWithVerifyFastPath(() => verifyFastPath),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trust ?? false,
    // Request ids are ours; an inbound header is not trusted.
    requestIdHeader: false,
    genReqId: () => newId('request'),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    frameworkErrors: (error, request, reply) => {
      const { status, body } = errorResponse(frameworkError(error), String(request.id));
      void (reply as unknown as FastifyReply).code(status).header('x-request-id', request.id).send(body);
    },
  });
  // All JSON: Nest's body parser would add application/x-www-form-urlencoded, and Fastify
  // parses text/plain by default; without a parser they answer 415.
  adapter.getInstance().removeContentTypeParser('text/plain');
  acceptEmptyJsonBodies(adapter.getInstance());
  installTransportSecurity(adapter.getInstance(), config.transport);
  // Resolved once the application exists; no GitHub request arrives before that.
  let githubSignatures: GithubSignatureService | undefined;
  // Up to 1000 usage items per report do not fit the global limit (before routes exist);
  // GitHub's signature is checked on the raw body, before parsing.
  adapter.getInstance().addHook('onRoute', (route) => {
    if (route.url === '/v1/usage' && route.method === 'POST') route.bodyLimit = Math.max(config.bodyLimitBytes, REPORT_BODY_LIMIT_BYTES);
    // A bulk operation may list up to 10,000 key ids.
    if (route.url === '/v1/keys/bulk' && route.method === 'POST') route.bodyLimit = Math.max(config.bodyLimitBytes, BULK_BODY_LIMIT_BYTES);
    // Wildcard routes serve files (the console's assets and pages, the docs UI): their errors
    // take the envelope here, before Nest's error handler turns @fastify/static's refusal of
    // a path (a NUL, `..`) into a bare 403 our envelope would call a missing scope.
    if (route.url.endsWith('*')) route.errorHandler = (error, request, reply) => void sendError(error, request, reply);
    if (route.url === GITHUB_SCANNING_ROUTE && route.method === 'POST') {
      route.bodyLimit = GITHUB_BODY_LIMIT_BYTES;
      const hooks = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
      route.preParsing = [...hooks, githubSignatureHook(() => githubSignatures as GithubSignatureService)];
    }
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config, logger), adapter, {
    ...NEST_START_OPTIONS,
    bodyParser: false,
  });
  app.useLogger(app.get(NestPinoLogger));
  app.flushLogs();
  githubSignatures = app.get(GithubSignatureService);
  app.useGlobalFilters(new ErrorFilter());
  app.useGlobalInterceptors(new RequestDeadlineInterceptor(config.requestDeadlineMs, app.get(Reflector)));
  app.useGlobalPipes(createValidationPipe());

  const fastify = app.getHttpAdapter().getInstance();
  // Callback-style hooks, here and in RequestMetering: they run on every request (every
  // verify), and an async hook costs a promise and its microtasks per request.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // API answers may carry a secret shown once: no cache keeps them, no browser reads them
    // as another type. The docs UI shares the console's origin: no page may frame it.
    if (request.url.startsWith('/v1/')) void reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
    else if (request.url.startsWith('/docs')) void reply.header('x-frame-options', 'DENY').header('content-security-policy', "frame-ancestors 'none'");
    const repeated = repeatedCredentialHeader(request.raw.rawHeaders);
    if (!repeated) return done();
    const { status, body } = errorResponse(
      ApiError.validation(repeated, 'must be given once: a request carries exactly one credential'),
      String(request.id),
    );
    // Answered here: `done` is not called, so the request goes no further.
    void reply.code(status).send(body);
  });
  // Before any validator or query runs: bodies and query strings too deep to validate
  // safely, or holding text PostgreSQL cannot store, are field errors.
  fastify.addHook('preValidation', (request, reply, done) => {
    const issue = bodyIssue(request.body) ?? bodyIssue(request.query);
    if (!issue) return done();
    const { status, body } = errorResponse(ApiError.validation(issue.field, issue.message), String(request.id));
    void reply.code(status).send(body);
  });
  app.get(RequestMetering).install(fastify);
  fastify.addHook('onResponse', (request: FastifyRequest & Pick<VerifyRequest, 'user' | 'verifyCode'>, reply, done) => {
    const log = request.log as Logger;
    const level = completionLogLevel(log, request.verifyCode, config.verifyLogSampleRate);
    if (level === null) return done();
    writeRequestCompletion(log, level, {
      method: request.method,
      route: request.routeOptions.url,
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      keyId: request.user?.keyId,
      ip: request.ip,
      code: request.verifyCode,
    });
    done();
  });
  // After the global hooks, so that they apply to it as to every Nest route.
  const verifyServices = {
    authenticator: app.get(KeyAuthenticator),
    policy: app.get(PolicyService),
    keys: app.get(KeysService),
    metrics: app.get(MetricsService),
  };
  registerVerifyRoute(fastify, verifyServices);
  verifyFastPath = new VerifyFastPath(
    fastify,
    { ...verifyServices, metering: app.get(RequestMetering), logger },
    { bodyLimitBytes: config.bodyLimitBytes, hsts: hstsOf(config.transport), trust, verifyLogSampleRate: config.verifyLogSampleRate },
  );

  setupOpenApi(app);
  const portal = app.get(PortalService);
  if (!(await registerConsolePages(fastify, config.console, (appId) => portal.embedOriginsOf(appId)))) {
    logger.warn({ dir: consoleDir(config.console) }, 'web console not built: /console is not served (run pnpm build)');
  }
  // Exit 0 once closed: by default Nest re-raises the signal, so a clean shutdown looked
  // like a kill (no exit code) to supervisors.
  app.enableShutdownHooks([], { useProcessExit: true });
  return app;
}
