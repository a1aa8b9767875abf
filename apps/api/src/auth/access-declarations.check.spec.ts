import 'reflect-metadata';
import { Controller, Get, type DynamicModule, type Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AnyValidKey, Public, RequireScopes } from '@keywarden/platform';
import pino from 'pino';
import { AppModule } from '../app.module';
import type { ApiConfig } from '../config/api-config';
import { findUndeclaredRoutes } from './access-declarations.check';

@Controller('open-door')
class UndeclaredController {
  @Get()
  forgotten(): string {
    return 'anyone';
  }

  @Get('declared')
  @RequireScopes('apps.read')
  declared(): string {
    return 'scoped';
  }

  /** Not a route: no declaration needed. */
  helper(): string {
    return 'internal';
  }
}

@Controller('declared')
class DeclaredController {
  @Get('scoped')
  @RequireScopes('keys.read')
  scoped(): string {
    return 'scoped';
  }

  @Get('any')
  @AnyValidKey()
  any(): string {
    return 'any';
  }

  @Get('public')
  @Public()
  open(): string {
    return 'public';
  }
}

@Controller('class-level')
@RequireScopes('audit.read')
class ClassLevelController {
  @Get()
  inherits(): string {
    return 'from the class';
  }
}

async function undeclaredIn(controllers: Type[]): Promise<string[]> {
  const module = await Test.createTestingModule({ imports: [DiscoveryModule], controllers })
    // Controllers' own dependencies do not matter to the check.
    .useMocker(() => ({}))
    .compile();
  try {
    return findUndeclaredRoutes(module.get(DiscoveryService), module.get(MetadataScanner), module.get(Reflector));
  } finally {
    await module.close();
  }
}

/** Every controller reachable from a module: its own, and those of everything it imports. */
function controllersOf(root: Type | DynamicModule, seen = new Set<unknown>()): Type[] {
  const moduleClass = 'module' in root ? root.module : root;
  if (seen.has(root)) return [];
  seen.add(root);
  const dynamic = 'module' in root ? root : undefined;
  const controllers: Type[] = [
    ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, moduleClass) as Type[] | undefined) ?? []),
    ...((dynamic?.controllers as Type[] | undefined) ?? []),
  ];
  const imports = [
    ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, moduleClass) as Array<Type | DynamicModule> | undefined) ?? []),
    ...((dynamic?.imports as Array<Type | DynamicModule> | undefined) ?? []),
  ];
  for (const imported of imports) {
    if (imported && (typeof imported === 'function' || 'module' in imported)) controllers.push(...controllersOf(imported, seen));
  }
  return [...new Set(controllers)];
}

describe('findUndeclaredRoutes', () => {
  it('reports a route handler without @RequireScopes, @AnyValidKey or @Public', async () => {
    expect(await undeclaredIn([UndeclaredController])).toEqual(['GET UndeclaredController.forgotten']);
  });

  it('reports nothing when every handler declares its access', async () => {
    expect(await undeclaredIn([DeclaredController])).toEqual([]);
  });

  it('accepts a declaration on the controller class', async () => {
    expect(await undeclaredIn([ClassLevelController])).toEqual([]);
  });

  it("finds no undeclared route among the real AppModule's controllers", async () => {
    // Building the module tree connects to nothing: connections open only on init.
    const config = { databaseUrl: 'postgres://unused/unused', redisUrl: 'redis://unused:6379' } as ApiConfig;
    const controllers = controllersOf(AppModule.forConfig(config, pino({ level: 'silent' })));
    const names = controllers.map((controller) => controller.name);
    expect(names).toEqual(
      expect.arrayContaining(['AppsController', 'KeysController', 'AdminKeysController', 'AuditController', 'MeController', 'HealthController']),
    );
    expect(await undeclaredIn(controllers)).toEqual([]);
  });
});
