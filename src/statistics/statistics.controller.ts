import { Readable } from 'node:stream';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Meta, Roles } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { Role } from '../access/role';
import { PeriodQueryDto, StatisticsQueryDto, StatisticsResponseDto } from './dto/statistics.dto';
import { type StatisticsResponse, StatisticsService } from './statistics.service';

@ApiTags('statistics')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Only supervisors, within their audit scope' })
@Roles(Role.Supervisor)
@Controller()
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get('statistics')
  @ApiOperation({
    summary: 'Cases opened/closed, referrals by outcome, answer times and bed occupancy in your scope, by whole months; figures under 5 are "<5"',
  })
  @ApiOkResponse({ type: StatisticsResponseDto })
  read(@CurrentPrincipal() principal: Principal, @Query() query: StatisticsQueryDto, @Meta() meta: RequestMeta): Promise<StatisticsResponse> {
    return this.statistics.statistics(principal, query, meta);
  }

  @Get('exports/ctdc.csv')
  @ApiOperation({ summary: 'Oversight: anonymised case-level records of your country in the CTDC layout, k-anonymised (k = 11)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ content: { 'text/csv': { schema: { type: 'string' } } } })
  async ctdc(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PeriodQueryDto,
    @Meta() meta: RequestMeta,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const { period, lines } = await this.statistics.ctdcExport(principal, query, meta);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="passage-ctdc-${period.from}-${period.to}.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(lines, { objectMode: false }));
  }
}
