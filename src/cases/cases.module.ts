import { Module } from '@nestjs/common';
import { MatchingModule } from '../matching/matching.module';
import { CaseSectionsStore } from './case-sections.store';
import { CasesController } from './cases.controller';
import { CasesService } from './cases.service';

@Module({
  imports: [MatchingModule],
  controllers: [CasesController],
  providers: [CasesService, CaseSectionsStore],
  exports: [CasesService, CaseSectionsStore],
})
export class CasesModule {}
