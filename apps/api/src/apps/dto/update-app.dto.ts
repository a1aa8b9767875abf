import { PartialType } from '@nestjs/swagger';
import type { UpdateAppRequest } from '@keywarden/core';
import { CreateAppDto } from './create-app.dto';

export class UpdateAppDto extends PartialType(CreateAppDto) implements UpdateAppRequest {}
