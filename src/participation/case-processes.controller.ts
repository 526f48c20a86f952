import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Meta } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseIdPipe } from '../common/ids';
import { ConsentService } from './consent.service';
import { ReflectionPeriodDto, WithdrawConsentDto } from './dto/participation.dto';
import { CaseProcessesService } from './case-processes.service';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases/:id')
export class CaseProcessesController {
  constructor(
    private readonly processes: CaseProcessesService,
    private readonly consent: ConsentService,
  ) {}

  @Post('consent/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record that the victim withdrew consent for an organisation: its consent-based access ends at once' })
  withdrawConsent(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) caseId: string,
    @Body() body: WithdrawConsentDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.consent.withdraw(principal, caseId, body.organisationId, meta);
  }

  @Post('reflection-period')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start the reflection period (participating migration officer); answers the immigration section' })
  startReflectionPeriod(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) caseId: string,
    @Body() body: ReflectionPeriodDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.processes.startReflectionPeriod(principal, caseId, body.startDate, meta);
  }

  @Post('placement/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the victim’s placement (caseworker of the shelter): the bed is freed' })
  endPlacement(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Meta() meta: RequestMeta) {
    return this.processes.endPlacement(principal, caseId, meta);
  }
}
