import { Global, Module } from '@nestjs/common';
import { AuditVerifier } from './audit-verifier';
import { AuditWitness } from './audit-witness';
import { AuditService } from './audit.service';
import { CaseAccessHistory } from './case-access-history';

/** Global: every feature that touches case data records through the one AuditService. */
@Global()
@Module({
  providers: [AuditService, AuditVerifier, AuditWitness, CaseAccessHistory],
  exports: [AuditService, AuditVerifier, AuditWitness, CaseAccessHistory],
})
export class AuditModule {}
