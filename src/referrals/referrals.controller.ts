import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CurrentPrincipal, Meta } from '../access/route.decorators';
import { organisationRefs } from '../common/readable';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseIdPipe, IdPipe } from '../common/ids';
import { CreateReferralDto, DeclineReferralDto, ListReferralsQuery } from './dto/referral.dto';
import { ReferralDto, ReferralListDto } from './dto/referral-response.dto';
import { ReferralAnswersService } from './referral-answers.service';
import { ReferralsService } from './referrals.service';

const ReferralIdPipe = new IdPipe('Referral not found');

type Named<T> = T & Pick<ReferralDto, 'from' | 'to'>;

@ApiTags('referrals')
@ApiBearerAuth()
@Controller()
export class ReferralsController {
  constructor(
    private readonly referrals: ReferralsService,
    private readonly answers: ReferralAnswersService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Readable context (API.md): the referring and the receiving organisation by name next to their ids. */
  private async named<T extends { fromOrganisationId: string; toOrganisationId: string }>(views: T[]): Promise<Array<Named<T>>> {
    const refs = await organisationRefs(
      this.dataSource,
      views.flatMap((view) => [view.fromOrganisationId, view.toOrganisationId]),
    );
    return views.map((view) => ({ ...view, from: refs.get(view.fromOrganisationId)!, to: refs.get(view.toOrganisationId)! }));
  }

  private async one<T extends { fromOrganisationId: string; toOrganisationId: string }>(view: Promise<T>): Promise<Named<T>> {
    return (await this.named([await view]))[0]!;
  }

  @Post('cases/:id/referrals')
  @ApiOperation({ summary: 'Refer the case to another organisation (participating operational users)' })
  @ApiCreatedResponse({ description: 'The pending referral', type: ReferralDto })
  create(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Body() body: CreateReferralDto, @Meta() meta: RequestMeta) {
    return this.one(this.referrals.create(principal, caseId, body, meta));
  }

  @Get('referrals')
  @ApiOperation({ summary: 'Incoming or outgoing referrals of your organisation; incoming pending ones carry a brief (summary and message, no identity)' })
  @ApiOkResponse({ type: ReferralListDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListReferralsQuery, @Meta() meta: RequestMeta) {
    const page = await this.referrals.list(principal, query, meta);
    return { ...page, items: await this.named(page.items) };
  }

  @Post('referrals/:id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept (target organisation): creates the participation; a reception centre needs a free bed' })
  @ApiOkResponse({ type: ReferralDto })
  accept(@CurrentPrincipal() principal: Principal, @Param('id', ReferralIdPipe) id: string, @Meta() meta: RequestMeta) {
    return this.one(this.answers.accept(principal, id, meta));
  }

  @Post('referrals/:id/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decline with a reason (target organisation)' })
  @ApiOkResponse({ type: ReferralDto })
  decline(@CurrentPrincipal() principal: Principal, @Param('id', ReferralIdPipe) id: string, @Body() body: DeclineReferralDto, @Meta() meta: RequestMeta) {
    return this.one(this.answers.decline(principal, id, body.reason, meta));
  }

  @Post('referrals/:id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw a pending referral (referring organisation)' })
  @ApiOkResponse({ type: ReferralDto })
  withdraw(@CurrentPrincipal() principal: Principal, @Param('id', ReferralIdPipe) id: string, @Meta() meta: RequestMeta) {
    return this.one(this.answers.withdraw(principal, id, meta));
  }
}
