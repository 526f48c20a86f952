import { Module } from '@nestjs/common';
import { AuditRetentionService } from './audit-retention.service';
import { AuditScheduler } from './audit-scheduler';

/** Registered by the worker process only: one place signs checkpoints and applies retention on a schedule. */
@Module({
  providers: [AuditRetentionService, AuditScheduler],
  exports: [AuditRetentionService],
})
export class AuditWorkerModule {}
