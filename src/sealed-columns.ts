import type { DataSource } from 'typeorm';
import type { Section } from './access/policy';
import { closureRejectionAssociatedData, reopeningAssociatedData } from './cases/case-closure.views';
import { CaseSectionsStore } from './cases/case-sections.store';
import type { Sealer } from './common/crypto';
import { modify, SqlParams } from './common/sql';
import { documentKeyAssociatedData } from './documents/document-cipher';
import { noteAssociatedData } from './notes/notes.service';
import { consentWithdrawalAssociatedData } from './participation/consent.repository';
import { webhookSecretAad } from './notifications/webhooks.service';
import { referralMessageAssociatedData } from './referrals/referral-message';
import { taskTitleAssociatedData } from './tasks/tasks.service';

/**
 * One column the application seals with the Sealer (AES-256-GCM under DATA_ENCRYPTION_KEY),
 * with the key id stored beside it. A column missing here is never rotated, so its old key can
 * never be dropped: every new sealed column is added to SEALED_COLUMNS.
 */
export interface SealedColumn {
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
    table: 'case_section',
    describe: (row) => `case ${row.case_id} section ${row.section}`,
    key: ['case_id', 'section'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'ciphertext',
    associatedData: (row) => CaseSectionsStore.associatedData(row.case_id!, row.section as Section),
  },
  {
    table: 'referral',
    describe: (row) => `referral ${row.id} message`,
    key: ['id'],
    keyIdColumn: 'message_key_id',
    ciphertextColumn: 'message_ciphertext',
    associatedData: (row) => referralMessageAssociatedData(row.id!),
  },
  {
    table: 'case_note',
    describe: (row) => `note ${row.id}`,
    key: ['id'],
    context: ['case_id'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'ciphertext',
    associatedData: (row) => noteAssociatedData(row.case_id!, row.id!),
  },
  {
    // The document's own data key, wrapped; its content is encrypted with that key, which stays.
    table: 'case_document',
    describe: (row) => `document ${row.id} key`,
    key: ['id'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'wrapped_key',
    associatedData: (row) => documentKeyAssociatedData(row.id!),
  },
  {
    table: 'case_closure',
    describe: (row) => `closing ${row.id} rejection reason`,
    key: ['id'],
    keyIdColumn: 'rejection_key_id',
    ciphertextColumn: 'rejection_ciphertext',
    associatedData: (row) => closureRejectionAssociatedData(row.id!),
  },
  {
    table: 'case_reopening',
    describe: (row) => `reopening ${row.id} reason`,
    key: ['id'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'ciphertext',
    associatedData: (row) => reopeningAssociatedData(row.id!),
  },
  {
    table: 'consent',
    describe: (row) => `consent ${row.id} withdrawal note`,
    key: ['id'],
    keyIdColumn: 'withdrawal_note_key_id',
    ciphertextColumn: 'withdrawal_note_ciphertext',
    associatedData: (row) => consentWithdrawalAssociatedData(row.id!),
  },
  {
    table: 'case_task',
    describe: (row) => `task ${row.id} title`,
    key: ['id'],
    keyIdColumn: 'key_id',
    ciphertextColumn: 'title_ciphertext',
    associatedData: (row) => taskTitleAssociatedData(row.id!),
  },
  {
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

/**
 * Re-seals every value of the given sealed columns (all of them by default) still under an older
 * key with the current one (the first of DATA_ENCRYPTION_KEY), a row per statement, so it can run
 * while the platform serves. Each UPDATE only applies if the row still holds the ciphertext that
 * was opened, so a concurrent write is never overwritten with an older value. Contents, versions
 * and timestamps do not change.
 */
export async function rotateSealedColumns(
  dataSource: DataSource,
  sealer: Sealer,
  options: { columns?: readonly SealedColumn[]; batchSize?: number } = {},
): Promise<RotationResult> {
  const result: RotationResult = { resealed: 0, unreadable: [] };
  for (const column of options.columns ?? SEALED_COLUMNS) {
    await rotateColumn(dataSource, sealer, column, options.batchSize ?? 500, result);
  }
  return result;
}

async function rotateColumn(dataSource: DataSource, sealer: Sealer, column: SealedColumn, batchSize: number, result: RotationResult): Promise<void> {
  const keyColumns = column.key.join(', ');
  const columns = [...column.key, ...(column.context ?? [])];
  let after: string[] | undefined;
  for (;;) {
    const params = new SqlParams();
    const where = [`${column.keyIdColumn} IS NOT NULL`, `${column.keyIdColumn} <> ${params.add(sealer.currentKeyId)}`];
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
        const sealed = sealer.seal(sealer.open({ keyId: stored.key_id, ciphertext: stored.ciphertext }, associatedData), associatedData);
        const update = new SqlParams();
        const newKeyId = update.add(sealed.keyId);
        const newCiphertext = update.add(sealed.ciphertext);
        const same = column.key.map((name) => `${name} = ${update.add(row[name])}`);
        const { count } = await modify(
          dataSource,
          `UPDATE ${column.table} SET ${column.keyIdColumn} = ${newKeyId}, ${column.ciphertextColumn} = ${newCiphertext}
            WHERE ${same.join(' AND ')} AND ${column.keyIdColumn} = ${update.add(stored.key_id)} AND ${column.ciphertextColumn} = ${update.add(stored.ciphertext)}`,
          update.values,
        );
        result.resealed += count;
      } catch {
        result.unreadable.push(column.describe(row));
      }
    }
    after = column.key.map((name) => String(batch[batch.length - 1]![name]));
  }
}
