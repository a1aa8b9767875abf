import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { App, Page } from '@keywarden/core';
import { RequireScopes } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import { ParseIdPipe } from '../common/id-param';
import { AppsPageQueryDto } from '../common/page-query.dto';
import type { Actor } from '../credentials/principal';
import { AppsService } from './apps.service';
import { CreateAppDto } from './dto/create-app.dto';
import { UpdateAppDto } from './dto/update-app.dto';

const AppId = () => Param('id', new ParseIdPipe('app'));

@ApiTags('apps')
@Controller('v1/apps')
export class AppsController {
  constructor(private readonly apps: AppsService) {}

  @Post()
  @RequireScopes('apps.write')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateAppDto): Promise<App> {
    return this.apps.create(actor, dto);
  }

  @Get()
  @RequireScopes('apps.read')
  list(@CurrentActor() actor: Actor, @Query() query: AppsPageQueryDto): Promise<Page<App>> {
    return this.apps.list(actor, query);
  }

  @Get(':id')
  @RequireScopes('apps.read')
  get(@CurrentActor() actor: Actor, @AppId() id: string): Promise<App> {
    return this.apps.get(actor, id);
  }

  @Patch(':id')
  @RequireScopes('apps.write')
  update(@CurrentActor() actor: Actor, @AppId() id: string, @Body() dto: UpdateAppDto): Promise<App> {
    return this.apps.update(actor, id, dto);
  }

  /** Revokes every key of the app. */
  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('apps.write')
  delete(@CurrentActor() actor: Actor, @AppId() id: string): Promise<void> {
    return this.apps.delete(actor, id);
  }
}
