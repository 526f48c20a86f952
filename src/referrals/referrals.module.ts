import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { ParticipationModule } from '../participation/participation.module';
import { ReferralDeadlines } from './referral-deadlines';
import { ReferralExpiryService } from './referral-expiry.service';
import { ReferralLifecycle } from './referral-lifecycle';
import { ReferralRepository } from './referral.repository';
import { ReferralsController } from './referrals.controller';
import { ReferralAnswersService } from './referral-answers.service';
import { ReferralsService } from './referrals.service';

/** Referrals between agencies: the owner of `referral` and of its state machine (referral-rules.ts). */
@Module({
  imports: [CasesModule, ParticipationModule],
  controllers: [ReferralsController],
  providers: [ReferralsService, ReferralAnswersService, ReferralExpiryService, ReferralDeadlines, ReferralRepository, ReferralLifecycle],
  exports: [ReferralsService],
})
export class ReferralsModule {}
