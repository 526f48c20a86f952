import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { Principal, RequestMeta } from '../access/principal';
import { isOperationalRole, ROLES } from '../access/role';
import { CurrentPrincipal, Meta, Roles } from '../access/route.decorators';
import { IdPipe } from '../common/ids';
import { REPORT_LANGUAGES, type ReportLanguage } from './subject-report.i18n';
import { renderSubjectReportHtml } from './subject-report.html';
import { renderSubjectReportPdf } from './subject-report.pdf';
import { SubjectReportService } from './subject-report.service';

export class SubjectReportQueryDto {
  @ApiPropertyOptional({ enum: REPORT_LANGUAGES, description: "Default: the victim's first language among these, else Accept-Language, else en" })
  @IsOptional()
  @IsIn(REPORT_LANGUAGES)
  language?: ReportLanguage;
}

@ApiTags('cases')
@ApiBearerAuth()
@Roles(...ROLES.filter(isOperationalRole))
@Controller('cases')
export class SubjectReportController {
  constructor(private readonly reports: SubjectReportService) {}

  @Get(':id/subject-report')
  @ApiOperation({
    summary:
      "The victim's report (GDPR art. 15): the data held and every access to the file; HTML, or PDF with Accept: application/pdf (lead organisation only)",
  })
  @ApiProduces('text/html', 'application/pdf')
  @ApiOkResponse({ content: { 'text/html': { schema: { type: 'string' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  @ApiNotFoundResponse({ description: 'No such case, or the caller may not know it exists' })
  async subjectReport(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new IdPipe('Case not found')) id: string,
    @Query() query: SubjectReportQueryDto,
    @Headers('accept') accept: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Meta() meta: RequestMeta,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const report = await this.reports.report(principal, id, meta, { requested: query.language, acceptLanguage });
    reply.header('cache-control', 'no-store').header('content-language', report.language).header('vary', 'accept, accept-language');
    if ((accept ?? '').toLowerCase().includes('application/pdf')) {
      const pdf = await renderSubjectReportPdf(report);
      return reply.header('content-type', 'application/pdf').header('content-disposition', 'attachment; filename="passage-subject-report.pdf"').send(pdf);
    }
    return reply.header('content-type', 'text/html; charset=utf-8').send(renderSubjectReportHtml(report));
  }
}
