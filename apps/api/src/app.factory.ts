import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { newId } from '@keywarden/core';
import { createFastifyAdapter, createLogger } from '@keywarden/platform';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ErrorFilter } from './common/error.filter';
import { createValidationPipe } from './common/validation.pipe';
import type { ApiConfig } from './config/api-config';
import type { Principal } from './credentials/principal';

function setupOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Keywarden API')
      .setDescription('Issue, verify, police and audit API keys.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' })
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'x-api-key')
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}

export async function createApiApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const logger = createLogger('api', config.logLevel);
  const adapter = createFastifyAdapter(logger, {
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Request ids are ours; an inbound header is not trusted.
    requestIdHeader: false,
    genReqId: () => newId('request'),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config, logger), adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ErrorFilter());
  app.useGlobalPipes(createValidationPipe());

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const principal = (request as { user?: Principal }).user;
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        keyId: principal?.keyId,
        ip: request.ip,
      },
      'request completed',
    );
  });

  setupOpenApi(app);
  app.enableShutdownHooks();
  return app;
}
