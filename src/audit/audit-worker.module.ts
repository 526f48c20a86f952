import { Module } from '@nestjs/common';
import { AuditRetentionService } from './audit-retention.service';
import { AuditScheduler } from './audit-scheduler';
import { AuditSequencer } from './audit-sequencer';

/** Registered by the worker process only: the sequencer (one leader among the workers) and retention. */
@Module({
  providers: [AuditSequencer, AuditRetentionService, AuditScheduler],
  exports: [AuditSequencer, AuditRetentionService],
})
export class AuditWorkerModule {}
