import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AppKey, type Page, type WithPropagation, type WithSecret } from '@keywarden/core';
import { RequireScopes } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import { ParseIdPipe } from '../common/id-param';
import type { Actor } from '../credentials/principal';
import { CreateKeyDto } from './dto/create-key.dto';
import { ListKeysQueryDto } from './dto/list-keys-query.dto';
import { RotateKeyDto } from './dto/rotate-key.dto';
import { UpdateKeyDto } from './dto/update-key.dto';
import { KeysService } from './keys.service';

const KeyId = () => Param('id', new ParseIdPipe('key'));

@ApiTags('keys')
@Controller('v1/keys')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  /** Issues a key; `secret` is in this response only. */
  @Post()
  @RequireScopes('keys.write')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateKeyDto): Promise<AppKey & WithSecret> {
    return this.keys.create(actor, dto);
  }

  @Get()
  @RequireScopes('keys.read')
  list(@CurrentActor() actor: Actor, @Query() query: ListKeysQueryDto): Promise<Page<AppKey>> {
    return this.keys.list(actor, query);
  }

  @Get(':id')
  @RequireScopes('keys.read')
  get(@CurrentActor() actor: Actor, @KeyId() id: string): Promise<AppKey> {
    return this.keys.get(actor, id);
  }

  @Patch(':id')
  @RequireScopes('keys.write')
  update(@CurrentActor() actor: Actor, @KeyId() id: string, @Body() dto: UpdateKeyDto): Promise<AppKey> {
    return this.keys.update(actor, id, dto);
  }

  /**
   * New secret, same key id; the secret it replaces works until the grace deadline, an older
   * one still in an earlier grace stops now. 409 CONFLICT for a revoked key or one past its
   * expiresAt (its new secret would never verify).
   */
  @Post(':id/rotate')
  @HttpCode(200)
  @RequireScopes('keys.write')
  rotate(@CurrentActor() actor: Actor, @KeyId() id: string, @Body() dto: RotateKeyDto): Promise<AppKey & WithSecret> {
    return this.keys.rotate(actor, id, dto);
  }

  /** Immediate on every API instance (it answers once they confirmed), and irreversible. */
  @Post(':id/revoke')
  @HttpCode(200)
  @RequireScopes('keys.revoke')
  revoke(@CurrentActor() actor: Actor, @KeyId() id: string): Promise<AppKey & WithPropagation> {
    return this.keys.changeStatus(actor, id, 'revoke');
  }

  @Post(':id/disable')
  @HttpCode(200)
  @RequireScopes('keys.write')
  disable(@CurrentActor() actor: Actor, @KeyId() id: string): Promise<AppKey & WithPropagation> {
    return this.keys.changeStatus(actor, id, 'disable');
  }

  @Post(':id/enable')
  @HttpCode(200)
  @RequireScopes('keys.write')
  enable(@CurrentActor() actor: Actor, @KeyId() id: string): Promise<AppKey & WithPropagation> {
    return this.keys.changeStatus(actor, id, 'enable');
  }
}
