import type { AddressInfo } from 'node:net';
import { Controller, Get, HttpCode, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import {
  type Keywarden,
  keywardenExpress,
  keywardenFastify,
  keywardenFetch,
  KeywardenGuard,
  keywardenHono,
  type KeywardenHonoEnv,
  keywardenIdentity,
  type KeywardenMiddlewareOptions,
  type NestLikeRequest,
} from '@keywarden/sdk';
import express from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import { type Context, Hono } from 'hono';

/**
 * The same small API in each framework, protected by the SDK middleware:
 * GET /orders needs `orders.read`, POST /orders `orders.write`, and GET /hold answers
 * only once the test lets it (to keep a request, and its concurrency lease, in flight).
 * Each handler answers `{identity}`: what the middleware attached to the request.
 * The apps trust X-Forwarded-For from loopback (as behind a load balancer), and take the
 * model and cost of a request from the `x-model` and `x-cost` headers.
 */
export interface ProtectedApp {
  url: string;
  close(): Promise<void>;
}

export interface ProtectedAppOptions {
  client: Keywarden;
  failOpen?: boolean;
}

export type ProtectedAppFactory = (options: ProtectedAppOptions, holds: Holds) => Promise<ProtectedApp>;

/** Requests parked in GET /hold until the test releases them. */
export class Holds {
  readonly #waiting: Array<() => void> = [];

  get waiting(): number {
    return this.#waiting.length;
  }

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  releaseAll(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

type RequestWithHeaders = { method?: string; headers: Record<string, string | string[] | undefined> };

function header(request: RequestWithHeaders, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function middlewareOptions<Req extends RequestWithHeaders>(options: ProtectedAppOptions): KeywardenMiddlewareOptions<Req> {
  return {
    client: options.client,
    failOpen: options.failOpen,
    scope: (request) => (request.method === 'POST' ? 'orders.write' : 'orders.read'),
    model: (request) => header(request, 'x-model'),
    cost: (request) => {
      const cost = header(request, 'x-cost');
      return cost === undefined ? undefined : Number(cost);
    },
  };
}

function portOf(address: AddressInfo | string | null): number {
  if (!address || typeof address === 'string') throw new Error('server is not listening on a TCP port');
  return address.port;
}

export const expressApp: ProtectedAppFactory = async (options, holds) => {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(keywardenExpress<express.Request>(middlewareOptions(options)));
  const answer = (request: express.Request, response: express.Response) => response.json({ identity: keywardenIdentity(request) });
  app.get('/orders', answer);
  app.post('/orders', answer);
  app.get('/hold', async (request, response) => {
    await holds.wait();
    answer(request, response);
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  return {
    url: `http://127.0.0.1:${portOf(server.address())}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
};

export const fastifyApp: ProtectedAppFactory = async (options, holds) => {
  // forceCloseConnections: closing must not wait for a request a test abandoned in /hold.
  const app = Fastify({ logger: false, trustProxy: '127.0.0.1', forceCloseConnections: true });
  app.addHook('preHandler', keywardenFastify<FastifyRequest>(middlewareOptions(options)));
  const answer = async (request: object) => ({ identity: keywardenIdentity(request) });
  app.get('/orders', answer);
  app.post('/orders', answer);
  app.get('/hold', async (request) => {
    await holds.wait();
    return answer(request);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${portOf(app.server.address())}`, close: () => app.close() };
};

/** Nest on Fastify, as Keywarden itself runs, the guard registered globally. */
export const nestApp: ProtectedAppFactory = async (options, holds) => {
  @Controller()
  class OrdersController {
    @Get('orders')
    read(@Req() request: object) {
      return { identity: keywardenIdentity(request) };
    }

    @Post('orders')
    @HttpCode(200)
    write(@Req() request: object) {
      return { identity: keywardenIdentity(request) };
    }

    @Get('hold')
    async hold(@Req() request: object) {
      await holds.wait();
      return { identity: keywardenIdentity(request) };
    }
  }

  @Module({ controllers: [OrdersController] })
  class OrdersModule {}

  const adapter = new FastifyAdapter({ trustProxy: '127.0.0.1', forceCloseConnections: true });
  const app = await NestFactory.create(OrdersModule, adapter, { logger: false });
  app.useGlobalGuards(new KeywardenGuard<NestLikeRequest & { method: string }>(middlewareOptions(options)));
  await app.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${portOf(app.getHttpServer().address())}`, close: () => app.close() };
};

/** Like the other apps' `trust proxy` on loopback: X-Forwarded-For counts only from 127.0.0.1. */
function clientIp(peer: string | undefined, forwardedFor: string | null | undefined): string | undefined {
  const loopback = peer === '127.0.0.1' || peer === '::ffff:127.0.0.1';
  const forwarded = forwardedFor?.split(',').pop()?.trim();
  return loopback && forwarded ? forwarded : peer;
}

function costOf(header: string | null | undefined): number | undefined {
  return header === null || header === undefined ? undefined : Number(header);
}

/** A fetch handler served on Node by @hono/node-server, which hands over the Node request as `env.incoming`. */
async function serveFetch(
  handler: (request: Request, env: { incoming: { socket: { remoteAddress?: string } } }) => Response | Promise<Response>,
): Promise<ProtectedApp> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const listening = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${portOf(server.address())}`,
    close: () => {
      (server as import('node:http').Server).closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A plain web-standard handler: the gate, then the route, then `complete` for headers and lease. */
export const fetchApp: ProtectedAppFactory = async (options, holds) => {
  const gate = keywardenFetch({
    client: options.client,
    failOpen: options.failOpen,
    scope: (request) => (request.method === 'POST' ? 'orders.write' : 'orders.read'),
    model: (request) => request.headers.get('x-model') ?? undefined,
    cost: (request) => costOf(request.headers.get('x-cost')),
  });
  return serveFetch(async (request, env) => {
    const refusal = await gate(request, { ip: clientIp(env.incoming.socket.remoteAddress, request.headers.get('x-forwarded-for')) });
    if (refusal) return refusal;
    if (new URL(request.url).pathname === '/hold') await holds.wait();
    return gate.complete(request, Response.json({ identity: keywardenIdentity(request) }));
  });
};

export const honoApp: ProtectedAppFactory = async (options, holds) => {
  const app = new Hono<KeywardenHonoEnv>();
  app.use(
    keywardenHono<Context<KeywardenHonoEnv>>({
      client: options.client,
      failOpen: options.failOpen,
      scope: (c) => (c.req.method === 'POST' ? 'orders.write' : 'orders.read'),
      model: (c) => c.req.header('x-model'),
      cost: (c) => costOf(c.req.header('x-cost')),
      ip: (c) => clientIp(getConnInfo(c).remote.address, c.req.header('x-forwarded-for')),
    }),
  );
  const answer = (c: Context<KeywardenHonoEnv>) => c.json({ identity: c.get('keywarden') });
  app.get('/orders', answer);
  app.post('/orders', answer);
  app.get('/hold', async (c) => {
    await holds.wait();
    return answer(c);
  });
  return serveFetch(app.fetch);
};

export const PROTECTED_APPS: Array<[string, ProtectedAppFactory]> = [
  ['Express', expressApp],
  ['Fastify', fastifyApp],
  ['NestJS (on Fastify)', nestApp],
  ['fetch (served by @hono/node-server)', fetchApp],
  ['Hono', honoApp],
];
