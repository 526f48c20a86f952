import type { DataSource, EntityManager } from 'typeorm';
import { Section } from './access/policy';
import { closureRejectionAssociatedData, reopeningAssociatedData } from './cases/case-closure.views';
import { CASE_KEY_ID, caseKeyAssociatedData, CaseKeysService } from './cases/case-keys.service';
import { CaseLifecycle } from './cases/case-lifecycle';
import { CaseSectionsStore } from './cases/case-sections.store';
import type { SectionData } from './cases/sections/sections';
import { nationalityOf } from './cases/cases.service';
import type { Sealed, Sealer } from './common/crypto';
import { modify, SqlParams } from './common/sql';
import { createDataSource } from './database/data-source';
import { documentKeyAssociatedData } from './documents/document-cipher';
import { noteAssociatedData } from './notes/notes.service';
import { consentWithdrawalAssociatedData } from './participation/consent.repository';
import { webhookSecretAad } from './notifications/webhooks.service';
import { referralMessageAssociatedData } from './referrals/referral-message';
import { StatisticsLifecycle } from './statistics/statistics-lifecycle';
import { taskTitleAssociatedData } from './tasks/tasks.service';

/**
 * One column the application seals (AES-256-GCM), with the key id stored beside it: under the
 * master keys of DATA_ENCRYPTION_KEY (`master`: re-sealed by `keys:rotate`), or under its case's
 * data key (`case`: retention shreds it; rotation re-wraps the case keys instead, and values left
 * under a master key from before per-case keys are moved under their case key). A column missing
 * here is never rotated, so its old key can never be dropped: every new sealed column is added.
 */
export interface SealedColumn {
  sealedWith: 'master' | 'case';
  /** The table, and how the rotation names one of its rows when it does not open. */
  table: string;
  describe(row: SealedRow): string;
  /** The primary key, in the order rows are walked. */
  key: readonly string[];
  /** Further columns the associated data is made of. */
  context?: readonly string[];
  keyIdColumn: string;
  ciphertextColumn: string;
  /** The associated data the value was sealed with: what binds it to its row. */
  associatedData(row: SealedRow): string;
}

/** The key and context columns of one row, as strings. */
export type SealedRow = Readonly<Record<string, string>>;

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    // Each case's data key, wrapped by the master key: rotation re-wraps these and no case data.
    sealedWith: 'master',
    table: 'case_key',
    describe: (row) => `case ${row.case_id} data key`,
    key: ['case_id'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'wrapped_key',
    associatedData: (row) => caseKeyAssociatedData(row.case_id!),
  },
  {
    sealedWith: 'case',
    table: 'case_section',
    describe: (row) => `case ${row.case_id} section ${row.section}`,
    key: ['case_id', 'section'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'ciphertext',
    associatedData: (row) => CaseSectionsStore.associatedData(row.case_id!, row.section as Section),
  },
  {
    sealedWith: 'master',
    table: 'referral',
    describe: (row) => `referral ${row.id} message`,
    key: ['id'],
    keyIdColumn: 'message_key_id',
    ciphertextColumn: 'message_ciphertext',
    associatedData: (row) => referralMessageAssociatedData(row.id!),
  },
  {
    sealedWith: 'case',
    table: 'case_note',
    describe: (row) => `note ${row.id}`,
    key: ['id'],
    context: ['case_id'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'ciphertext',
    associatedData: (row) => noteAssociatedData(row.case_id!, row.id!),
  },
  {
    // The document's own data key, wrapped by the case key; its content is encrypted with that key, which stays.
    sealedWith: 'case',
    table: 'case_document',
    describe: (row) => `document ${row.id} key`,
    key: ['id'],
    context: ['case_id'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'wrapped_key',
    associatedData: (row) => documentKeyAssociatedData(row.id!),
  },
  {
    sealedWith: 'master',
    table: 'case_closure',
    describe: (row) => `closing ${row.id} rejection reason`,
    key: ['id'],
    keyIdColumn: 'rejection_key_id',
    ciphertextColumn: 'rejection_ciphertext',
    associatedData: (row) => closureRejectionAssociatedData(row.id!),
  },
  {
    sealedWith: 'master',
    table: 'case_reopening',
    describe: (row) => `reopening ${row.id} reason`,
    key: ['id'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'ciphertext',
    associatedData: (row) => reopeningAssociatedData(row.id!),
  },
  {
    sealedWith: 'master',
    table: 'consent',
    describe: (row) => `consent ${row.id} withdrawal note`,
    key: ['id'],
    keyIdColumn: 'withdrawal_note_key_id',
    ciphertextColumn: 'withdrawal_note_ciphertext',
    associatedData: (row) => consentWithdrawalAssociatedData(row.id!),
  },
  {
    sealedWith: 'master',
    table: 'case_task',
    describe: (row) => `task ${row.id} title`,
    key: ['id'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'title_ciphertext',
    associatedData: (row) => taskTitleAssociatedData(row.id!),
  },
  {
    sealedWith: 'master',
    table: 'webhook',
    describe: (row) => `webhook ${row.id} secret`,
    key: ['id'],
    keyIdColumn: 'secret_key_id',
    ciphertextColumn: 'secret_ciphertext',
    associatedData: (row) => webhookSecretAad(row.id!),
  },
];

export interface RotationResult {
  resealed: number;
  /** Rows that did not open (tampered, or sealed with a key no longer configured): left as they are, named by id. */
  unreadable: string[];
}

interface StoredRow {
  key_id: string;
  ciphertext: Buffer;
  [column: string]: string | Buffer;
}

export const MASTER_SEALED_COLUMNS = SEALED_COLUMNS.filter((column) => column.sealedWith === 'master');
export const CASE_SEALED_COLUMNS = SEALED_COLUMNS.filter((column) => column.sealedWith === 'case');

/**
 * Re-seals every value of the given master-sealed columns (all of them by default, case data keys
 * included) still under an older key with the current one (the first of DATA_ENCRYPTION_KEY), a
 * row per statement, so it can run while the platform serves. Each UPDATE only applies if the row
 * still holds the ciphertext that was opened, so a concurrent write is never overwritten with an
 * older value. Contents, versions and timestamps do not change.
 */
export async function rotateSealedColumns(
  dataSource: DataSource,
  sealer: Sealer,
  options: { columns?: readonly SealedColumn[]; batchSize?: number } = {},
): Promise<RotationResult> {
  const result: RotationResult = { resealed: 0, unreadable: [] };
  for (const column of options.columns ?? MASTER_SEALED_COLUMNS) {
    if (column.sealedWith !== 'master') throw new Error(`${column.table}.${column.ciphertextColumn} is sealed with case keys: see sealCaseValuesUnderCaseKeys`);
    await walkColumn(dataSource, column, sealer.currentKeyId, options.batchSize ?? 500, result, async (_manager, stored, associatedData) => ({
      sealed: sealer.seal(sealer.open(stored, associatedData), associatedData),
    }));
  }
  return result;
}

/**
 * The case lifecycle as the upgrade announces to it: the listeners of the application that take
 * an identity's nationality (statistics), wired by hand since the upgrade runs before the API does.
 */
export function upgradeLifecycle(): CaseLifecycle {
  const lifecycle = new CaseLifecycle();
  new StatisticsLifecycle(lifecycle).onModuleInit();
  return lifecycle;
}

/**
 * The upgrade to per-case keys (ADR 0009), run by `npm run db:migrate` after the schema
 * migrations and again by `keys:rotate`: every case value still sealed under a master key is
 * opened with it and re-sealed under its case's data key (made on the way for cases that have
 * none), row by row, while the platform serves. Until a case's values are all moved, retention
 * leaves the case alone. Does nothing once everything is under case keys.
 *
 * The migration that brought per-case keys also brought the CTDC citizenship, which only identity
 * writes announce: an identity moved here is announced as an identity write would be, in the same
 * transaction, so cases from before get their citizenship without waiting for their next save (and
 * only once, as a moved value is never moved again).
 */
export async function sealCaseValuesUnderCaseKeys(
  dataSource: DataSource,
  sealer: Sealer,
  options: { batchSize?: number; lifecycle?: CaseLifecycle } = {},
): Promise<RotationResult> {
  const keys = new CaseKeysService(sealer);
  const lifecycle = options.lifecycle ?? upgradeLifecycle();
  const result: RotationResult = { resealed: 0, unreadable: [] };
  for (const column of CASE_SEALED_COLUMNS) {
    await walkColumn(dataSource, column, CASE_KEY_ID, options.batchSize ?? 500, result, async (manager, stored, associatedData, row) => {
      const plaintext = sealer.open(stored, associatedData);
      const sealed = (await keys.cipherForWrite(manager, row.case_id!)).seal(plaintext, associatedData);
      if (column.table !== 'case_section' || row.section !== Section.Identity) return { sealed };
      const nationality = nationalityOf(JSON.parse(plaintext.toString('utf8')) as SectionData);
      return { sealed, moved: () => lifecycle.nationalityRecorded(manager, { caseId: row.case_id!, nationality }) };
    });
  }
  return result;
}

/**
 * Walks the rows of a column not under `targetKeyId`, re-sealing each in a transaction of its own;
 * `moved` runs in that transaction once the row was indeed replaced (not if a write came first).
 */
async function walkColumn(
  dataSource: DataSource,
  column: SealedColumn,
  targetKeyId: string,
  batchSize: number,
  result: RotationResult,
  reseal: (manager: EntityManager, stored: Sealed, associatedData: string, row: SealedRow) => Promise<{ sealed: Sealed; moved?: () => Promise<void> }>,
): Promise<void> {
  const keyColumns = column.key.join(', ');
  const columns = [...new Set([...column.key, ...(column.context ?? [])])];
  let after: string[] | undefined;
  for (;;) {
    const params = new SqlParams();
    const where = [`${column.keyIdColumn} IS NOT NULL`, `${column.keyIdColumn} <> ${params.add(targetKeyId)}`];
    if (after) where.push(`(${keyColumns}) > (${after.map((value) => params.add(value)).join(', ')})`);
    const batch: StoredRow[] = await dataSource.query(
      `SELECT ${columns.join(', ')}, ${column.keyIdColumn} AS key_id, ${column.ciphertextColumn} AS ciphertext FROM ${column.table}
        WHERE ${where.join(' AND ')} ORDER BY ${keyColumns} LIMIT ${params.add(batchSize)}`,
      params.values,
    );
    if (batch.length === 0) return;
    for (const stored of batch) {
      const row = Object.fromEntries(columns.map((name) => [name, String(stored[name])]));
      const associatedData = column.associatedData(row);
      try {
        const count = await dataSource.transaction(async (manager) => {
          const { sealed, moved } = await reseal(manager, { keyId: stored.key_id, ciphertext: stored.ciphertext }, associatedData, row);
          const update = new SqlParams();
          const newKeyId = update.add(sealed.keyId);
          const newCiphertext = update.add(sealed.ciphertext);
          const same = column.key.map((name) => `${name} = ${update.add(row[name])}`);
          const { count } = await modify(
            manager,
            `UPDATE ${column.table} SET ${column.keyIdColumn} = ${newKeyId}, ${column.ciphertextColumn} = ${newCiphertext}
              WHERE ${same.join(' AND ')} AND ${column.keyIdColumn} = ${update.add(stored.key_id)} AND ${column.ciphertextColumn} = ${update.add(stored.ciphertext)}`,
            update.values,
          );
          if (count > 0) await moved?.();
          return count;
        });
        result.resealed += count;
      } catch {
        result.unreadable.push(column.describe(row));
      }
    }
    after = column.key.map((name) => String(batch[batch.length - 1]![name]));
  }
}

/** `sealCaseValuesUnderCaseKeys` on a database of its own connection: what `db:migrate` and `npm start` run after the migrations. */
export async function upgradeToCaseKeys(databaseUrl: string, sealer: Sealer): Promise<RotationResult> {
  const dataSource = createDataSource(databaseUrl);
  await dataSource.initialize();
  try {
    return await sealCaseValuesUnderCaseKeys(dataSource, sealer);
  } finally {
    await dataSource.destroy();
  }
}
