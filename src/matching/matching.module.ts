import { Module } from '@nestjs/common';
import { IdentityIndexRepository } from './identity-index.repository';
import { IdentityMatchRateLimit } from './identity-match.rate-limit';
import { IdentityMatchingController } from './identity-matching.controller';
import { IdentityMatchingService } from './identity-matching.service';

/** Identity matching across agencies: the owner of case_identity_index. */
@Module({
  controllers: [IdentityMatchingController],
  providers: [IdentityMatchingService, IdentityIndexRepository, IdentityMatchRateLimit],
  exports: [IdentityMatchingService],
})
export class MatchingModule {}
