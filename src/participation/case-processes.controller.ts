import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Meta } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseIdPipe } from '../common/ids';
import { ConsentService } from './consent.service';
import { ReflectionPeriodDto, WithdrawConsentDto } from './dto/participation.dto';
import { ImmigrationSectionView } from '../cases/dto/case-response.dto';
import { CaseProcessesService } from './case-processes.service';
import { ConsentWithdrawnDto, PlacementEndedDto } from './dto/case-process-response.dto';

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
  @ApiOkResponse({ type: ConsentWithdrawnDto })
  @ApiForbiddenResponse({ description: 'Neither the lead organisation nor the organisation the consent was given to' })
  withdrawConsent(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) caseId: string,
    @Body() body: WithdrawConsentDto,
    @Meta() meta: RequestMeta,
  ): Promise<ConsentWithdrawnDto> {
    return this.consent.withdraw(principal, caseId, body, meta);
  }

  @Post('reflection-period')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start the reflection period (participating migration officer); answers the immigration section' })
  @ApiOkResponse({ type: ImmigrationSectionView })
  startReflectionPeriod(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) caseId: string,
    @Body() body: ReflectionPeriodDto,
    @Meta() meta: RequestMeta,
  ): Promise<ImmigrationSectionView> {
    return this.processes.startReflectionPeriod(principal, caseId, body.startDate, meta);
  }

  @Post('placement/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the victim’s placement (caseworker of the shelter): the bed is freed' })
  @ApiOkResponse({ type: PlacementEndedDto })
  endPlacement(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Meta() meta: RequestMeta): Promise<PlacementEndedDto> {
    return this.processes.endPlacement(principal, caseId, meta);
  }
}
