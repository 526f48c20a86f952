import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CaseLifecycle, type CaseLifecycleListener } from '../cases/case-lifecycle';
import { Sealer } from '../common/crypto';
import { taskTitleAssociatedData } from './tasks.service';

/**
 * Retention and tasks: a task title is free text that may name the victim, sealed under the master
 * key (a user's task list spans cases), so the case key does not cover it; anonymising the case
 * replaces every title of its tasks with an empty one. The tasks themselves (dates, status) stay.
 */
@Injectable()
export class TaskLifecycle implements CaseLifecycleListener, OnModuleInit {
  constructor(
    private readonly lifecycle: CaseLifecycle,
    private readonly sealer: Sealer,
  ) {}

  onModuleInit(): void {
    this.lifecycle.register(this);
  }

  async caseAnonymising(manager: EntityManager, caseId: string): Promise<void> {
    const tasks: Array<{ id: string }> = await manager.query(`SELECT id FROM case_task WHERE case_id = $1`, [caseId]);
    for (const task of tasks) {
      const sealed = this.sealer.seal(Buffer.alloc(0), taskTitleAssociatedData(task.id));
      await manager.query(`UPDATE case_task SET key_id = $2, title_ciphertext = $3 WHERE id = $1`, [task.id, sealed.keyId, sealed.ciphertext]);
    }
  }
}
