import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Meta, Roles } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { Role } from '../access/role';
import { CreatedWebhookDto, CreateWebhookDto, DeliveryListDto, DeliveryQueryDto, WebhookListDto } from './dto/webhook.dto';
import { IdPipe } from '../common/ids';
import { WebhooksService } from './webhooks.service';

const OrganisationIdPipe = new IdPipe('No such organisation');
const WebhookIdPipe = new IdPipe('No such webhook');

@ApiTags('webhooks')
@ApiBearerAuth()
@Roles(Role.OrgAdmin)
@Controller('organisations/:organisationId/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Register a webhook for some event types (org_admin of the organisation); the secret is shown only here' })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('organisationId', OrganisationIdPipe) organisationId: string,
    @Body() body: CreateWebhookDto,
    @Meta() meta: RequestMeta,
  ): Promise<CreatedWebhookDto> {
    return this.webhooks.create(principal, organisationId, body, meta);
  }

  @Get()
  @ApiOperation({ summary: "The organisation's webhooks, without secrets" })
  @ApiOkResponse({ type: WebhookListDto })
  list(@CurrentPrincipal() principal: Principal, @Param('organisationId', OrganisationIdPipe) organisationId: string): Promise<WebhookListDto> {
    return this.webhooks.list(principal, organisationId);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Deactivate a webhook; nothing more is sent to it' })
  @ApiNoContentResponse()
  async deactivate(
    @CurrentPrincipal() principal: Principal,
    @Param('organisationId', OrganisationIdPipe) organisationId: string,
    @Param('webhookId', WebhookIdPipe) webhookId: string,
    @Meta() meta: RequestMeta,
  ): Promise<void> {
    await this.webhooks.deactivate(principal, organisationId, webhookId, meta);
  }

  @Get(':webhookId/deliveries')
  @ApiOperation({ summary: 'Delivery log of a webhook, newest first' })
  @ApiOkResponse({ type: DeliveryListDto })
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('organisationId', OrganisationIdPipe) organisationId: string,
    @Param('webhookId', WebhookIdPipe) webhookId: string,
    @Query() query: DeliveryQueryDto,
  ): Promise<DeliveryListDto> {
    return this.webhooks.deliveries(principal, organisationId, webhookId, query);
  }
}
