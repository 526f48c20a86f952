import { Module } from '@nestjs/common';
import { CaseSectionsStore } from './case-sections.store';
import { CasesController } from './cases.controller';
import { CasesService } from './cases.service';

@Module({
  controllers: [CasesController],
  providers: [CasesService, CaseSectionsStore],
  exports: [CasesService, CaseSectionsStore],
})
export class CasesModule {}
