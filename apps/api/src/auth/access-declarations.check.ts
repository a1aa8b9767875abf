import { Injectable, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_METADATA } from '@keywarden/platform';

/**
 * A route without @RequireScopes / @AnyValidKey / @Public is a startup error: forgetting
 * the declaration must never leave a door open.
 */
@Injectable()
export class AccessDeclarationsCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const undeclared = findUndeclaredRoutes(this.discovery, this.scanner, this.reflector);
    if (undeclared.length > 0) {
      throw new Error(
        `Routes without an access declaration (add @RequireScopes(...), @AnyValidKey() or @Public()): ${undeclared.join(', ')}`,
      );
    }
  }
}

/** A controller method that serves a route. */
export interface RouteHandler {
  controller: new (...args: unknown[]) => unknown;
  methodName: string;
  handler: (...args: unknown[]) => unknown;
}

/** Every route handler of the application's controllers. */
export function* routeHandlers(discovery: DiscoveryService, scanner: MetadataScanner): Generator<RouteHandler> {
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as RouteHandler['controller'] | undefined;
    if (!controller) continue;
    const prototype = controller.prototype as Record<string, RouteHandler['handler']>;
    for (const methodName of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[methodName];
      if (Reflect.getMetadata(PATH_METADATA, handler) !== undefined) yield { controller, methodName, handler };
    }
  }
}

export function findUndeclaredRoutes(discovery: DiscoveryService, scanner: MetadataScanner, reflector: Reflector): string[] {
  const undeclared: string[] = [];
  for (const { controller, methodName, handler } of routeHandlers(discovery, scanner)) {
    if (reflector.getAllAndOverride(ACCESS_METADATA, [handler, controller]) === undefined) {
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      undeclared.push(`${method} ${controller.name}.${methodName}`);
    }
  }
  return undeclared;
}
