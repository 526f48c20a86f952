import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditProofs } from './audit-proofs.service';
import { AuditQueryService } from './audit-query.service';

/** The supervisors' HTTP API over the audit trail (API process only). */
@Module({
  controllers: [AuditController],
  providers: [AuditQueryService, AuditProofs],
})
export class AuditApiModule {}
