import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Meta, Roles } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { Role } from '../access/role';
import { CreatedWebhookDto, CreateWebhookDto, DeliveryDto, DeliveryListDto, DeliveryQueryDto, WebhookListDto } from './dto/webhook.dto';
import { ApiProblems } from '../common/openapi';
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

  @Post(':webhookId/secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate the signing secret of an active webhook; the new secret is shown only here and signs every delivery from now on' })
  @ApiOkResponse({ type: CreatedWebhookDto })
  @ApiProblems(400, 401, 403, 404, 409)
  rotateSecret(
    @CurrentPrincipal() principal: Principal,
    @Param('organisationId', OrganisationIdPipe) organisationId: string,
    @Param('webhookId', WebhookIdPipe) webhookId: string,
    @Meta() meta: RequestMeta,
  ): Promise<CreatedWebhookDto> {
    return this.webhooks.rotateSecret(principal, organisationId, webhookId, meta);
  }

  @Post(':webhookId/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a dead-lettered delivery again (a new series of attempts); 409 unless it is dead-lettered' })
  @ApiResponse({ status: 202, type: DeliveryDto, description: 'Queued again; the answer is the delivery as it is now (pending)' })
  @ApiProblems(400, 401, 403, 404, 409)
  replay(
    @CurrentPrincipal() principal: Principal,
    @Param('organisationId', OrganisationIdPipe) organisationId: string,
    @Param('webhookId', WebhookIdPipe) webhookId: string,
    @Param('deliveryId', new IdPipe('No such delivery of this webhook')) deliveryId: string,
    @Meta() meta: RequestMeta,
  ): Promise<DeliveryDto> {
    return this.webhooks.replay(principal, organisationId, webhookId, deliveryId, meta);
  }
}
