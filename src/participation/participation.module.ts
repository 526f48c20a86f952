import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { ConsentService } from './consent.service';
import { ReflectionDeadlines } from './reflection-deadlines';
import { CaseProcessesController } from './case-processes.controller';
import { CaseProcessesService } from './case-processes.service';

/** What participating agencies do to a running case: consent withdrawal, placements, reflection period. */
@Module({
  imports: [CasesModule],
  controllers: [CaseProcessesController],
  providers: [CaseProcessesService, ConsentService, ReflectionDeadlines],
})
export class ParticipationModule {}
