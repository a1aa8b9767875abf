import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AdminKey, AdminKeyRevocation, Page, WithSecret } from '@keywarden/core';
import { RequireScopes } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import { ParseIdPipe } from '../common/id-param';
import { AdminKeysPageQueryDto } from '../common/page-query.dto';
import type { Actor } from '../credentials/principal';
import { AdminKeysService } from './admin-keys.service';
import { CreateAdminKeyDto } from './dto/create-admin-key.dto';
import { RevokeAdminKeyQueryDto } from './dto/revoke-admin-key-query.dto';
import { WithoutRequestDeadline } from '../common/request-deadline';

@ApiTags('admin-keys')
@Controller('v1/admin-keys')
export class AdminKeysController {
  constructor(private readonly adminKeys: AdminKeysService) {}

  /** Issues a key for Keywarden's own API; `secret` is in this response only. */
  @Post()
  @RequireScopes('keys.write')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateAdminKeyDto): Promise<AdminKey & WithSecret> {
    return this.adminKeys.create(actor, dto);
  }

  @Get()
  @RequireScopes('keys.read')
  list(@CurrentActor() actor: Actor, @Query() query: AdminKeysPageQueryDto): Promise<Page<AdminKey>> {
    return this.adminKeys.list(actor, query);
  }

  /**
   * Revokes the admin key, immediately and for good. `cascade=revoke|disable` (offboarding
   * a member) does the same to every app key it created (`disable` also needs keys.write).
   */
  @Delete(':id')
  @WithoutRequestDeadline()
  @RequireScopes('keys.revoke')
  revoke(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseIdPipe('adminKey')) id: string,
    @Query() query: RevokeAdminKeyQueryDto,
  ): Promise<AdminKeyRevocation> {
    return this.adminKeys.revoke(actor, id, query.cascade);
  }
}
