import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Meta } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseIdPipe, IdPipe } from '../common/ids';
import { CreateReferralDto, DeclineReferralDto, ListReferralsQuery } from './dto/referral.dto';
import { ReferralDto, ReferralListDto } from './dto/referral-response.dto';
import { ReferralsService } from './referrals.service';

const ReferralIdPipe = new IdPipe('Referral not found');

@ApiTags('referrals')
@ApiBearerAuth()
@Controller()
export class ReferralsController {
  constructor(private readonly referrals: ReferralsService) {}

  @Post('cases/:id/referrals')
  @ApiOperation({ summary: 'Refer the case to another organisation (participating operational users)' })
  @ApiCreatedResponse({ description: 'The pending referral', type: ReferralDto })
  create(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Body() body: CreateReferralDto, @Meta() meta: RequestMeta) {
    return this.referrals.create(principal, caseId, body, meta);
  }

  @Get('referrals')
  @ApiOperation({ summary: 'Incoming or outgoing referrals of your organisation; incoming pending ones carry a brief (summary and message, no identity)' })
  @ApiOkResponse({ type: ReferralListDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListReferralsQuery, @Meta() meta: RequestMeta) {
    return this.referrals.list(principal, query, meta);
  }

  @Post('referrals/:id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept (target organisation): creates the participation; a reception centre needs a free bed' })
  @ApiOkResponse({ type: ReferralDto })
  accept(@CurrentPrincipal() principal: Principal, @Param('id', ReferralIdPipe) id: string, @Meta() meta: RequestMeta) {
    return this.referrals.accept(principal, id, meta);
  }

  @Post('referrals/:id/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decline with a reason (target organisation)' })
  @ApiOkResponse({ type: ReferralDto })
  decline(@CurrentPrincipal() principal: Principal, @Param('id', ReferralIdPipe) id: string, @Body() body: DeclineReferralDto, @Meta() meta: RequestMeta) {
    return this.referrals.decline(principal, id, body.reason, meta);
  }

  @Post('referrals/:id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw a pending referral (referring organisation)' })
  @ApiOkResponse({ type: ReferralDto })
  withdraw(@CurrentPrincipal() principal: Principal, @Param('id', ReferralIdPipe) id: string, @Meta() meta: RequestMeta) {
    return this.referrals.withdraw(principal, id, meta);
  }
}
