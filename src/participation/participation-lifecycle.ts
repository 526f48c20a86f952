import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CaseLifecycle, type CaseLifecycleListener } from '../cases/case-lifecycle';
import { ConsentRepository } from './consent.repository';
import { ParticipationRepository } from './participation.repository';

/** What a case's lifecycle does to its participations, beds and consents: the lead takes part from the start, closing frees every bed, retention erases withdrawal notes. */
@Injectable()
export class ParticipationLifecycle implements CaseLifecycleListener, OnModuleInit {
  constructor(
    private readonly lifecycle: CaseLifecycle,
    private readonly participations: ParticipationRepository,
    private readonly consents: ConsentRepository,
  ) {}

  onModuleInit(): void {
    this.lifecycle.register(this);
  }

  caseOpened(manager: EntityManager, event: { caseId: string; organisationId: string }): Promise<void> {
    return this.participations.addLead(manager, event.caseId, event.organisationId);
  }

  caseClosing(manager: EntityManager, event: { caseId: string }): Promise<void> {
    return this.participations.releaseBedsOfCase(manager, event.caseId);
  }

  caseAnonymising(manager: EntityManager, caseId: string): Promise<void> {
    return this.consents.eraseWithdrawalNotes(manager, caseId);
  }

  adultOnlyPlacements(manager: EntityManager, caseId: string): Promise<string[]> {
    return this.participations.adultOnlyPlacements(manager, caseId);
  }
}
