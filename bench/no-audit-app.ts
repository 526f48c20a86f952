import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { AuditService } from '../src/audit/audit.service';
import type { AppConfig } from '../src/config/config';
import { configureHttpApp, createFastifyAdapter, HTTP_APP_OPTIONS } from '../src/http';

/** Records nothing: what the API would cost without its audit trail. Never used outside the bench. */
const NO_AUDIT: Pick<AuditService, 'record' | 'recordNow' | 'recordAllNow'> = {
  record: () => Promise.resolve(),
  recordNow: () => Promise.resolve(),
  recordAllNow: () => Promise.resolve(),
};

/**
 * The HTTP application as src/http.ts builds it, except that AuditService is replaced by a
 * no-op through a Nest testing module. run.ts compares both apps' responses to the same request.
 */
export async function createHttpAppWithoutAudit(config: AppConfig, databaseUrl: string): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, databaseUrl)] })
    .overrideProvider(AuditService)
    .useValue(NO_AUDIT)
    .compile();
  return configureHttpApp(moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), HTTP_APP_OPTIONS), config);
}
