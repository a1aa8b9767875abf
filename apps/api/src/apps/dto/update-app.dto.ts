import { PartialType } from '@nestjs/swagger';
import type { UpdateAppRequest } from '@keywarden/core';
import { CreateAppDto } from './create-app.dto';

/** Omitted fields stay; none of them can be cleared, so `null` is validated (and refused). */
export class UpdateAppDto extends PartialType(CreateAppDto, { skipNullProperties: false }) implements UpdateAppRequest {}
