import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConsoleConfig } from '../config/api-config';

/** apps/api/dist → apps/console/dist */
const DEFAULT_CONSOLE_DIR = resolve(__dirname, '..', '..', '..', 'console', 'dist');

/**
 * No inline script or style, nothing from elsewhere except images (https logos),
 * and API calls to this origin only.
 */
export function contentSecurityPolicy(frameAncestors: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

function securityHeaders(reply: FastifyReply, frameAncestors: string[]): void {
  reply.header('content-security-policy', contentSecurityPolicy(frameAncestors));
  // X-Frame-Options cannot list origins: only when nobody may frame the page.
  if (frameAncestors.length === 0) reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
}

export function consoleDir(config: ConsoleConfig): string {
  return config.staticDir ?? DEFAULT_CONSOLE_DIR;
}

/**
 * Serves the built console at /console. Every page path answers index.html, so deep links
 * and reloads work. Returns false when the console has not been built.
 */
export async function registerConsolePages(fastify: FastifyInstance, config: ConsoleConfig): Promise<boolean> {
  const root = consoleDir(config);
  if (!existsSync(join(root, 'index.html'))) return false;
  await fastify.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: '/console/assets/',
    index: false,
    // File names carry a content hash.
    immutable: true,
    maxAge: '365d',
    setHeaders: (response) => {
      response.header('x-content-type-options', 'nosniff');
    },
  });
  const page = (frameAncestors: string[]) => async (_request: unknown, reply: FastifyReply) => {
    securityHeaders(reply, frameAncestors);
    reply.header('cache-control', 'no-store');
    return reply.sendFile('index.html', root, { cacheControl: false });
  };
  const consolePage = page([]);
  for (const url of ['/console', '/console/', '/console/*']) fastify.get(url, consolePage);
  return true;
}
