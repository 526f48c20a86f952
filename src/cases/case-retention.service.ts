import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { LoadedCase } from '../access/access.service';
import { Section } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { IdentityMatchingService } from '../matching/identity-matching.service';
import { CaseCommand } from './case-command';
import { CaseKeysService } from './case-keys.service';
import { Sealer } from '../common/crypto';
import { CaseClosureRepository } from './case-closure.repository';
import { CaseLifecycle } from './case-lifecycle';
import { CaseRepository } from './case.repository';
import { CaseSectionsStore } from './case-sections.store';
import type { SectionData } from './sections/sections';

/** What an anonymised summary keeps: the fields statistics and the CTDC export count, none that tells who the victim is. */
export const STATISTICAL_SUMMARY_FIELDS = ['exploitationTypes', 'indicators', 'minor', 'ageGroup', 'gender'] as const;

export interface RetentionOutcome {
  anonymised: string[];
  /** Past retention but some value is still under a master key (not yet upgraded): left, and counted again next run. */
  notUnderCaseKey: string[];
}

/**
 * Storage limitation (GDPR art. 5(1)(e)) by crypto-shredding: a closed case past its country's
 * RETENTION_YEARS_<COUNTRY>, with no legal hold, loses its data key (identity, sections, notes and
 * documents become unreadable everywhere, backups included), its summary is cut to the statistical
 * fields, its blind indexes go, and it answers 410 from then on. Statistics rollups and audit
 * events are not touched, so the figures still count it and the log still verifies. Each case is
 * one CaseCommand (system), re-checked under its lock, so several workers can run this at once.
 */
@Injectable()
export class CaseRetentionService {
  private readonly logger = new Logger(CaseRetentionService.name);
  batchSize = 200;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly command: CaseCommand,
    private readonly cases: CaseRepository,
    private readonly sections: CaseSectionsStore,
    private readonly keys: CaseKeysService,
    private readonly lifecycle: CaseLifecycle,
    private readonly matching: IdentityMatchingService,
    private readonly closures: CaseClosureRepository,
    private readonly sealer: Sealer,
  ) {}

  async apply(now: Date = new Date()): Promise<RetentionOutcome> {
    const outcome: RetentionOutcome = { anonymised: [], notUnderCaseKey: [] };
    let after: { closedAt: string; id: string } | undefined;
    for (;;) {
      const batch = await this.cases.pastRetention(this.config.retentionYears, now, { after, limit: this.batchSize });
      if (batch.length === 0) break;
      for (const candidate of batch) {
        const result = await this.command.runAsSystem({
          caseId: candidate.id,
          action: AuditAction.CaseAnonymised,
          work: ({ manager, loaded }) => this.anonymise(manager, loaded, now, () => outcome.notUnderCaseKey.push(candidate.id)),
        });
        if (result) outcome.anonymised.push(candidate.id);
      }
      const last = batch[batch.length - 1]!;
      after = { closedAt: last.closed_key, id: last.id };
    }
    if (outcome.notUnderCaseKey.length > 0) {
      this.logger.warn(
        { cases: outcome.notUnderCaseKey.length },
        'cases past retention still hold values under a master key: run npm run db:migrate to re-seal them',
      );
    }
    if (outcome.anonymised.length > 0) this.logger.log({ cases: outcome.anonymised.length }, 'cases anonymised at the end of their retention period');
    return outcome;
  }

  /** Under the case lock: still due? Everything under the case key? Then shred. */
  private async anonymise(
    manager: EntityManager,
    loaded: LoadedCase,
    now: Date,
    notUnderCaseKey: () => void,
  ): Promise<{ result: true; justification: string } | undefined> {
    if (!this.isDue(loaded, now)) return undefined;
    const underMaster = (await this.sections.underMasterKey(manager, loaded.id)) + (await this.lifecycle.valuesUnderMasterKey(manager, loaded.id));
    // Destroying the case key would leave these readable with the master key: not shredded, so not reported as such.
    if (underMaster > 0) {
      notUnderCaseKey();
      return undefined;
    }
    const summary = (await this.sections.read(manager, loaded.id, [Section.Summary], { lock: true })).get(Section.Summary);
    if (summary) await this.sections.write(manager, loaded.id, Section.Summary, statisticalSummary(summary.data), summary.version + 1, null);
    await this.matching.reindex(manager, loaded.id, {});
    await this.closures.eraseReasons(manager, loaded.id, (associatedData) => this.sealer.seal(Buffer.alloc(0), associatedData));
    await this.lifecycle.anonymising(manager, loaded.id);
    await this.keys.destroy(manager, loaded.id);
    await this.cases.markAnonymised(manager, loaded.id);
    const years = this.config.retentionYears[loaded.country as keyof AppConfig['retentionYears']];
    return { result: true, justification: `retention of ${years} years after closing` };
  }

  private isDue(loaded: LoadedCase, now: Date): boolean {
    const years = this.config.retentionYears[loaded.country as keyof AppConfig['retentionYears']];
    if (loaded.status !== 'closed' || !loaded.closedAt || loaded.anonymisedAt || loaded.legalHold || years === undefined) return false;
    const due = new Date(loaded.closedAt);
    due.setUTCFullYear(due.getUTCFullYear() + years);
    return due < now;
  }
}

function statisticalSummary(data: SectionData): SectionData {
  return Object.fromEntries(STATISTICAL_SUMMARY_FIELDS.filter((field) => data[field] !== undefined).map((field) => [field, data[field]]));
}

export const RETENTION_INTERVAL_MS = 24 * 3600_000;

/** The worker's daily retention run (and one at start, so a worker restarted daily still runs it). */
@Injectable()
export class CaseRetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CaseRetentionScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly retention: CaseRetentionService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), RETENTION_INTERVAL_MS);
    this.timer.unref();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run; a run still going when the next is due is not doubled. */
  tick(): Promise<void> {
    this.running ??= this.retention
      .apply()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error({ err: { message: (error as Error).message } }, 'case retention failed; retried at the next run'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
