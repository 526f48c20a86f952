import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { ConsentRepository } from './consent.repository';
import { ConsentService } from './consent.service';
import { ParticipationLifecycle } from './participation-lifecycle';
import { ParticipationRepository } from './participation.repository';
import { ReflectionDeadlines } from './reflection-deadlines';
import { CaseProcessesController } from './case-processes.controller';
import { CaseProcessesService } from './case-processes.service';

/**
 * What participating agencies do to a running case: consent withdrawal, placements, reflection
 * period. The owner of `participation`, `consent` and the free beds of reception centres.
 */
@Module({
  imports: [CasesModule],
  controllers: [CaseProcessesController],
  providers: [CaseProcessesService, ConsentService, ReflectionDeadlines, ParticipationRepository, ConsentRepository, ParticipationLifecycle],
  exports: [ParticipationRepository, ConsentRepository],
})
export class ParticipationModule {}
