import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { BreakGlassDeadlines } from './break-glass-deadlines';
import { BreakGlassController, BreakGlassReviewController } from './break-glass.controller';
import { BreakGlassRepository } from './break-glass.repository';
import { BreakGlassService } from './break-glass.service';

/** Emergency access to a case, its review by the supervisors and the review reminder. */
@Module({
  imports: [CasesModule],
  controllers: [BreakGlassController, BreakGlassReviewController],
  providers: [BreakGlassService, BreakGlassRepository, BreakGlassDeadlines],
})
export class BreakGlassModule {}
