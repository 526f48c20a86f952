import { Global, Module } from '@nestjs/common';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { AuditVerifier } from './audit-verifier';
import { AuditService } from './audit.service';
import { CaseAccessHistory } from './case-access-history';

/** Global: every feature that touches case data records through the one AuditService. */
@Global()
@Module({
  providers: [AuditService, AuditCheckpointService, AuditVerifier, CaseAccessHistory],
  exports: [AuditService, AuditCheckpointService, AuditVerifier, CaseAccessHistory],
})
export class AuditModule {}
