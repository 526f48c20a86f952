import { Module } from '@nestjs/common';
import { MatchingModule } from '../matching/matching.module';
import { CaseChangesService } from './case-changes.service';
import { CaseClosureDeadlines } from './case-closure-deadlines';
import { CaseClosureRepository } from './case-closure.repository';
import { CaseClosureService } from './case-closure.service';
import { CaseCommand } from './case-command';
import { CaseLifecycle } from './case-lifecycle';
import { CaseRepository } from './case.repository';
import { CaseKeysService } from './case-keys.service';
import { CaseRetentionScheduler, CaseRetentionService } from './case-retention.service';
import { CaseSectionsStore } from './case-sections.store';
import { CasesController } from './cases.controller';
import { CasesService } from './cases.service';
import { LegalHoldService } from './legal-hold.service';

/**
 * Cases: the owner of `case`, `case_section` and the reference counter. Other features change a
 * case through CaseCommand, read it through CasesService.readCase, and react to its lifecycle
 * through CaseLifecycle.
 */
@Module({
  imports: [MatchingModule],
  controllers: [CasesController],
  providers: [
    CasesService,
    CaseChangesService,
    CaseClosureService,
    CaseClosureRepository,
    CaseClosureDeadlines,
    CaseCommand,
    CaseLifecycle,
    CaseRepository,
    CaseSectionsStore,
    CaseKeysService,
    CaseRetentionService,
    LegalHoldService,
  ],
  exports: [CasesService, CaseChangesService, CaseCommand, CaseLifecycle, CaseKeysService, CaseRetentionService],
})
export class CasesModule {}

/** The worker's part of cases: the daily retention run. */
@Module({ imports: [CasesModule], providers: [CaseRetentionScheduler] })
export class CasesWorkerModule {}
