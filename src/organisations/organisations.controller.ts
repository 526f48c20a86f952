import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Meta, Roles } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { ApiProblems } from '../common/openapi';
import { IdPipe } from '../common/ids';
import { Role } from '../access/role';
import {
  CreatedOrganisationDto,
  CreateOrganisationDto,
  OrganisationDto,
  OrganisationListDto,
  OrganisationQueryDto,
  UpdateOrganisationDto,
} from './dto/organisation.dto';
import { OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiProblems(400, 401)
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Get()
  @ApiOperation({ summary: 'Organisations, e.g. to pick a referral target; bed fields on reception centres only' })
  @ApiOkResponse({ type: OrganisationListDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: OrganisationQueryDto): Promise<OrganisationListDto> {
    return this.organisations.list(principal, query);
  }

  @Post()
  @Roles(Role.PlatformAdmin)
  @ApiOperation({ summary: 'Create an organisation and its first org_admin (platform_admin)' })
  @ApiCreatedResponse({ type: CreatedOrganisationDto })
  @ApiProblems(403, 409, 422)
  create(@CurrentPrincipal() admin: Principal, @Body() body: CreateOrganisationDto, @Meta() meta: RequestMeta): Promise<CreatedOrganisationDto> {
    return this.organisations.create(admin, body, meta);
  }

  @Patch(':id')
  @Roles(Role.PlatformAdmin)
  @ApiOperation({ summary: 'Rename, resize, (de)activate an organisation (platform_admin)' })
  @ApiOkResponse({ type: OrganisationDto })
  @ApiProblems(403, 404, 409, 422)
  update(
    @CurrentPrincipal() admin: Principal,
    @Param('id', new IdPipe('No such organisation')) id: string,
    @Body() body: UpdateOrganisationDto,
    @Meta() meta: RequestMeta,
  ): Promise<OrganisationDto> {
    return this.organisations.update(admin, id, body, meta);
  }
}
