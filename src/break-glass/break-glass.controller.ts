import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal, RequestMeta } from '../access/principal';
import { Role } from '../access/role';
import { CurrentPrincipal, Meta, Roles } from '../access/route.decorators';
import { CaseIdPipe, IdPipe } from '../common/ids';
import { BreakGlassService } from './break-glass.service';
import { BreakGlassCreatedDto, BreakGlassDto, BreakGlassGrantDto, BreakGlassPageDto, BreakGlassQueryDto, BreakGlassReviewDto } from './dto/break-glass.dto';

@ApiTags('cases')
@ApiBearerAuth()
@Controller()
export class BreakGlassController {
  constructor(private readonly breakGlass: BreakGlassService) {}

  @Post('cases/:id/break-glass')
  @ApiOperation({ summary: 'Emergency access to summary and identity for 4 hours, with a justification (≥ 20 characters)' })
  @ApiCreatedResponse({ type: BreakGlassCreatedDto })
  grant(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) id: string,
    @Body() body: BreakGlassDto,
    @Meta() meta: RequestMeta,
  ): Promise<BreakGlassCreatedDto> {
    return this.breakGlass.grant(principal, id, body.justification, meta);
  }
}

@ApiTags('audit')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Only supervisors audit' })
@Roles(Role.Supervisor)
@Controller('audit/break-glass')
export class BreakGlassReviewController {
  constructor(private readonly breakGlass: BreakGlassService) {}

  @Get()
  @ApiOperation({ summary: 'Break-glass uses in your scope, newest first' })
  @ApiOkResponse({ type: BreakGlassPageDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: BreakGlassQueryDto, @Meta() meta: RequestMeta): Promise<BreakGlassPageDto> {
    return this.breakGlass.list(principal, query, meta);
  }

  @Post(':id/review')
  @HttpCode(200)
  @ApiOperation({ summary: 'Review a break-glass use once: a verdict (`not_justified` notifies the lead organisation) and a note' })
  @ApiOkResponse({ type: BreakGlassGrantDto })
  review(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new IdPipe('Break-glass grant not found')) id: string,
    @Body() body: BreakGlassReviewDto,
    @Meta() meta: RequestMeta,
  ): Promise<BreakGlassGrantDto> {
    return this.breakGlass.review(principal, id, { note: body.note, verdict: body.verdict }, meta);
  }
}
