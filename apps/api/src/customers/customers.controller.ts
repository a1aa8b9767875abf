import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Customer, Page, WithPropagation } from '@keywarden/core';
import { RequireScopes } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import type { Actor } from '../credentials/principal';
import { CustomersService } from './customers.service';
import { CreateCustomerDto } from './dto/create-customer.dto';
import { ListCustomersQueryDto } from './dto/list-customers-query.dto';
import { UpdateCustomerDto } from './dto/update-customer.dto';

/** `:ref` is the `cus_…` id or the platform's externalId. */
@ApiTags('customers')
@Controller('v1/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @RequireScopes('customers.write')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateCustomerDto): Promise<Customer> {
    return this.customers.create(actor, dto);
  }

  @Get()
  @RequireScopes('customers.read')
  list(@CurrentActor() actor: Actor, @Query() query: ListCustomersQueryDto): Promise<Page<Customer>> {
    return this.customers.list(actor, query);
  }

  @Get(':ref')
  @RequireScopes('customers.read')
  get(@CurrentActor() actor: Actor, @Param('ref') ref: string): Promise<Customer> {
    return this.customers.get(actor, ref);
  }

  @Patch(':ref')
  @RequireScopes('customers.write')
  update(@CurrentActor() actor: Actor, @Param('ref') ref: string, @Body() dto: UpdateCustomerDto): Promise<Customer> {
    return this.customers.update(actor, ref, dto);
  }

  @Delete(':ref')
  @HttpCode(204)
  @RequireScopes('customers.write')
  async delete(@CurrentActor() actor: Actor, @Param('ref') ref: string): Promise<void> {
    await this.customers.delete(actor, ref);
  }

  /** Every key of the customer answers KEY_DISABLED, on every instance at once, until resumed. */
  @Post(':ref/suspend')
  @HttpCode(200)
  @RequireScopes('customers.write')
  suspend(@CurrentActor() actor: Actor, @Param('ref') ref: string): Promise<Customer & WithPropagation> {
    return this.customers.changeStatus(actor, ref, 'suspend');
  }

  @Post(':ref/resume')
  @HttpCode(200)
  @RequireScopes('customers.write')
  resume(@CurrentActor() actor: Actor, @Param('ref') ref: string): Promise<Customer & WithPropagation> {
    return this.customers.changeStatus(actor, ref, 'resume');
  }
}
