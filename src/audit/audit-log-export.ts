import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { leafBatches, PREFIX_LOCK_SQL } from './audit-verifier';
import { readWitnessFile } from './audit-witness';
import { type AuditVerification, LogAuditor } from './log-auditor';
import { parseCheckpointBody, parseVerifierKey } from './signed-note';

/**
 * An export of the log as JSON lines, for someone outside (a court, a data-protection
 * authority) to verify with the verifier key alone: the log's origin, the signed retention
 * records, then the leaves in order, each batch preceded by the signed checkpoints it reaches.
 */
/** One line of an export. Entries carry the event's canonical bytes, or only the leaf hash once retention pruned it. */
type ExportLine =
  | { type: 'log'; origin: string }
  | { type: 'checkpoint'; note: string }
  | { type: 'retention'; note: string }
  | { type: 'leaf'; index: string; eventId: string; leafHash: string; entry: string | null };

export async function exportLog(dataSource: DataSource, config: Pick<AppConfig, 'auditLogOrigin'>, file: string): Promise<number> {
  const out = createWriteStream(file, { mode: 0o600 });
  const write = async (line: ExportLine): Promise<void> => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  let leaves = 0;
  try {
    await runner.query(`SELECT pg_advisory_lock_shared(${PREFIX_LOCK_SQL})`);
    // One snapshot for the whole export, so checkpoints and entries agree.
    await runner.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`);
    await write({ type: 'log', origin: config.auditLogOrigin });
    const [sizes]: Array<{ entries: string }> = await runner.query(`SELECT (coalesce(max(log_index) + 1, 0))::text AS entries FROM audit_log_entry`);
    for (const row of (await runner.query(`SELECT note FROM audit_log_retention ORDER BY through_size`)) as Array<{ note: string }>) {
      await write({ type: 'retention', note: row.note });
    }
    // Checkpoints interleaved with the leaves they cover, so a verifier holds one batch of them at a time.
    let checkpointsFrom = '0';
    for await (const rows of leafBatches(runner, BigInt(sizes!.entries), 10_000)) {
      const batchEnd = (BigInt(rows[rows.length - 1]!.log_index) + 1n).toString();
      const checkpoints: Array<{ note: string }> = await runner.query(
        `SELECT note FROM audit_log_checkpoint WHERE tree_size > $1 AND tree_size <= $2 ORDER BY tree_size`,
        [checkpointsFrom, batchEnd],
      );
      for (const row of checkpoints) await write({ type: 'checkpoint', note: row.note });
      checkpointsFrom = batchEnd;
      for (const row of rows) {
        await write({
          type: 'leaf',
          index: row.log_index,
          eventId: row.event_id,
          leafHash: row.leaf_hash.toString('base64'),
          entry: row.entry === null ? null : Buffer.from(row.entry, 'utf8').toString('base64'),
        });
        leaves += 1;
      }
    }
    // Checkpoints beyond the last entry (the log was cut) travel too, so the offline check sees the cut.
    const beyond: Array<{ note: string }> = await runner.query(`SELECT note FROM audit_log_checkpoint WHERE tree_size > $1 ORDER BY tree_size`, [
      checkpointsFrom,
    ]);
    for (const row of beyond) await write({ type: 'checkpoint', note: row.note });
    await runner.query('COMMIT');
  } finally {
    await runner.release();
    out.end();
    await once(out, 'close');
  }
  return leaves;
}

/** Checks an export with nothing but the verifier key: signatures, every leaf, every root. */
export async function verifyExport(file: string, verifierKey: string, witnessFile?: string): Promise<AuditVerification> {
  const verifier = parseVerifierKey(verifierKey);
  const witness = witnessFile ? await readWitnessFile(witnessFile) : [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let auditor: LogAuditor | undefined;
  const retention: string[] = [];
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber += 1;
    if (text === '') continue;
    const line = JSON.parse(text) as ExportLine;
    if (line.type === 'log') {
      if (line.origin !== verifier.name) throw new Error(`the export is of log "${line.origin}", the key of "${verifier.name}"`);
      auditor = new LogAuditor(verifier, line.origin);
      for (const note of witness) auditor.checkpoint(note, 'witness');
      continue;
    }
    if (!auditor) throw new Error('the export does not start with its log line');
    if (line.type === 'retention') retention.push(line.note);
    else if (line.type === 'checkpoint') {
      if (retention.length > 0) auditor.retention(retention.splice(0));
      const parsed = parseCheckpointBody(line.note.slice(0, line.note.lastIndexOf('\n\n') + 1));
      auditor.checkpoint(line.note, 'database', parsed ? { size: parsed.treeSize, root: parsed.rootHash } : undefined);
    } else if (line.type === 'leaf') {
      if (retention.length > 0) auditor.retention(retention.splice(0));
      auditor.leaf({
        index: BigInt(line.index),
        eventId: line.eventId,
        storedLeaf: Buffer.from(line.leafHash, 'base64'),
        entry: line.entry === null ? null : Buffer.from(line.entry, 'base64'),
      });
    } else throw new Error(`line ${lineNumber} is not part of an audit log export`);
  }
  if (!auditor) throw new Error('the file holds no audit log export');
  if (retention.length > 0) auditor.retention(retention);
  return auditor.finish();
}
