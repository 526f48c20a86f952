import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CaseLifecycle, type CaseLifecycleListener } from '../cases/case-lifecycle';

/**
 * The one statistical field the database cannot see for itself: the victim's nationality sits in
 * the sealed identity section, so cases announce it and statistics keeps it for the CTDC export's
 * citizenship (stats_case_record, which the rollup triggers create with the case).
 */
@Injectable()
export class StatisticsLifecycle implements CaseLifecycleListener, OnModuleInit {
  constructor(private readonly lifecycle: CaseLifecycle) {}

  onModuleInit(): void {
    this.lifecycle.register(this);
  }

  async nationalityRecorded(manager: EntityManager, event: { caseId: string; nationality: string | null }): Promise<void> {
    await manager.query(`UPDATE stats_case_record SET citizenship = $2 WHERE case_id = $1`, [event.caseId, event.nationality]);
  }
}
