import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditAction } from '../src/audit/audit-action';
import { ENTRY_COLUMNS, entryLeafHash, type EntryRow } from '../src/audit/audit-entry';
import { AuditRetentionService } from '../src/audit/audit-retention.service';
import { AuditSequencer } from '../src/audit/audit-sequencer';
import { type AuditVerification, AuditVerifier } from '../src/audit/audit-verifier';
import { AuditWitness } from '../src/audit/audit-witness';
import { type AuditEntry, AuditService } from '../src/audit/audit.service';
import { NoteSigner } from '../src/audit/signed-note';
import { exportLog, verifyExport } from '../src/audit/audit-log-export';
import type { AppConfig } from '../src/config/config';
import { createDataSource } from '../src/database/data-source';
import { Role } from '../src/access/role';
import { TestApp, testConfig } from './support/app';
import { isolatedDatabaseUrl, withClient } from './support/database';
import { organisationId, userId } from './support/factories';
import { expectProblem } from './support/problem';

/** The application's audit components on a database of their own, plus a superuser connection to attack it with. */
interface Log {
  url: string;
  dataSource: DataSource;
  config: AppConfig;
  audit: AuditService;
  witness: AuditWitness;
  sequencer: AuditSequencer;
  verifier: AuditVerifier;
  close(): Promise<void>;
}

async function logOn(label: string, overrides: Record<string, string> = {}): Promise<Log> {
  const url = await isolatedDatabaseUrl(label);
  const config = await testConfig({ DATABASE_URL: url, ...overrides });
  const dataSource = createDataSource(url);
  await dataSource.initialize();
  const witness = new AuditWitness(config);
  const sequencer = new AuditSequencer(dataSource, config, witness);
  return {
    url,
    dataSource,
    config,
    audit: new AuditService(dataSource),
    witness,
    sequencer,
    verifier: new AuditVerifier(dataSource, config, witness),
    close: async () => {
      await sequencer.onApplicationShutdown();
      await dataSource.destroy();
    },
  };
}

async function officerActor(dataSource: DataSource): Promise<NonNullable<AuditEntry['actor']>> {
  return { userId: await userId(dataSource, 'officer@be-police.test'), organisationId: await organisationId(dataSource, 'be-police'), role: Role.Officer };
}

async function recordEvents(log: Log, count: number): Promise<void> {
  const actor = await officerActor(log.dataSource);
  for (let i = 0; i < count; i += 1) {
    await log.audit.recordNow({
      action: i % 2 === 0 ? AuditAction.Login : AuditAction.LoginFailed,
      outcome: i % 2 === 0 ? 'allowed' : 'denied',
      actor: i % 3 === 0 ? null : actor,
      meta: { requestId: `log-test-${i}`, ip: '198.51.100.7' },
    });
  }
}

/** The event at a log index. */
async function eventAt(log: Log, index: number): Promise<{ id: string; seq: string }> {
  const rows: Array<{ id: string; seq: string }> = await log.dataSource.query(
    `SELECT e.id, e.seq::text AS seq FROM audit_log_entry l JOIN audit_event e ON e.id = l.event_id WHERE l.log_index = $1`,
    [index],
  );
  if (!rows[0]) throw new Error(`no event at index ${index}`);
  return rows[0];
}

/** A superuser session with triggers off: what an attacker with full database access can do. */
function asSuperuser<T>(log: Log, attack: (client: Client) => Promise<T>): Promise<T> {
  return withClient(log.url, async (client) => {
    await client.query(`SET session_replication_role = replica`);
    return attack(client);
  });
}

/** Three events as milestone 1 chained them, and its HMAC checkpoint over the last one. */
async function legacyChain(log: Log): Promise<string[]> {
  let prev = Buffer.alloc(32);
  const ids: string[] = [];
  for (const seq of [1001, 1002, 1003]) {
    const id = randomUUID();
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, seq % 60, 123)).toISOString();
    const fields = [
      String(seq),
      id,
      at,
      null,
      null,
      null,
      'auth.login_failed',
      null,
      null,
      'denied',
      null,
      null,
      `legacy-${seq}`,
      '198.51.100.9',
      null,
      null,
      null,
    ];
    const hash = createHash('sha256').update(prev).update(JSON.stringify(fields), 'utf8').digest();
    await log.dataSource.query(
      `INSERT INTO audit_event (seq, id, at, action, outcome, request_id, ip, prev_hash, hash)
       VALUES ($1, $2, $3, 'auth.login_failed', 'denied', $4, '198.51.100.9', $5, $6)`,
      [seq, id, at, `legacy-${seq}`, prev, hash],
    );
    ids.push(id);
    prev = hash;
  }
  const signedAt = new Date(Date.UTC(2026, 0, 2));
  const signature = createHmac('sha256', log.config.auditSigningKey)
    .update(`passage-audit-checkpoint/v1\nperiodic\n1003\n${prev.toString('hex')}\n${signedAt.toISOString()}`, 'utf8')
    .digest();
  await log.dataSource.query(`INSERT INTO audit_checkpoint (kind, seq, hash, signed_at, signature) VALUES ('periodic', 1003, $1, $2, $3)`, [
    prev,
    signedAt,
    signature,
  ]);
  return ids;
}

function namedEvents(result: AuditVerification): Array<string | null> {
  return result.breaks.map((item) => item.eventId);
}

describe('the audit log', () => {
  const logs: Log[] = [];
  const open = async (label: string, overrides: Record<string, string> = {}): Promise<Log> => {
    const log = await logOn(label, overrides);
    logs.push(log);
    return log;
  };
  // Each log has a pool of its own: closed after every test, so the suite holds few connections at a time.
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((log) => log.close()));
  });

  it('sequences committed events, signs a checkpoint, hands it to the witness, and verifies batch by batch', async () => {
    const log = await open('audit_log_clean');
    await recordEvents(log, 23);
    const checkpoint = await log.sequencer.catchUp();
    expect(checkpoint?.treeSize).toBe(23n);
    expect(checkpoint?.note).toMatch(/^localhost:3000\/audit\n23\n[A-Za-z0-9+/]{43}=\n\n\u2014 localhost:3000\/audit [A-Za-z0-9+/]+=*\n$/);
    expect(await log.witness.notes()).toEqual([checkpoint!.note]);
    log.verifier.batchSize = 5;
    expect(await log.verifier.verify()).toEqual({ valid: true, checked: 23, treeSize: '23', checkpointSize: '23', breaks: [] });
    // Nothing new: no second checkpoint.
    expect((await log.sequencer.catchUp())?.treeSize).toBeUndefined();
    expect(await log.dataSource.query(`SELECT count(*)::int AS count FROM audit_log_checkpoint`)).toEqual([{ count: 1 }]);
  });

  it('never skips an event whose transaction is still open: it takes its place in the log once it commits', async () => {
    const log = await open('audit_log_commit_order');
    await recordEvents(log, 2);
    const runner = log.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await log.audit.record(runner.manager, { action: AuditAction.CaseList, outcome: 'allowed', meta: { requestId: 'slow', ip: '192.0.2.9' } });
      await recordEvents(log, 3); // committed after the slow one drew its seq
      expect((await log.sequencer.catchUp())?.treeSize).toBe(5n);
      expect((await log.sequencer.catchUp())?.treeSize).toBeUndefined();
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect((await log.sequencer.catchUp())?.treeSize).toBe(6n);
    const slow: Array<{ request_id: string }> = await log.dataSource.query(
      `SELECT e.request_id FROM audit_log_entry l JOIN audit_event e ON e.id = l.event_id WHERE l.log_index = 5`,
    );
    expect(slow).toEqual([{ request_id: 'slow' }]);
    const state: Array<{ sequenced_through: string; max: string }> = await log.dataSource.query(
      `SELECT sequenced_through::text, (SELECT max(seq) FROM audit_event)::text AS max FROM audit_log_state`,
    );
    expect(BigInt(state[0]!.sequenced_through)).toBeLessThanOrEqual(BigInt(state[0]!.max));
    expect(await log.verifier.verify()).toMatchObject({ valid: true, checked: 6 });
  });

  it('keeps every event of 50 concurrent writers, with no lock between them', async () => {
    const log = await open('audit_log_concurrent');
    const actor = await officerActor(log.dataSource);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        log.dataSource.transaction((manager) =>
          log.audit.record(manager, { action: AuditAction.CaseList, outcome: 'allowed', actor, meta: { requestId: `concurrent-${i}`, ip: '192.0.2.1' } }),
        ),
      ),
    );
    await log.sequencer.catchUp();
    expect(await log.verifier.verify()).toMatchObject({ valid: true, checked: 50 });
  });

  it('has one sequencer at a time; another takes over when it stops', async () => {
    const log = await open('audit_log_leader');
    const other = new AuditSequencer(log.dataSource, log.config, log.witness);
    await recordEvents(log, 2);
    expect((await log.sequencer.catchUp())?.treeSize).toBe(2n);
    await recordEvents(log, 2);
    expect(await other.catchUp()).toBeUndefined();
    await log.sequencer.onApplicationShutdown();
    expect((await other.catchUp())?.treeSize).toBe(4n);
    await other.onApplicationShutdown();
    expect(await log.verifier.verify()).toMatchObject({ valid: true, checked: 4 });
  });

  it('names every edited, deleted, inserted and reordered event, and carries on past each', async () => {
    const log = await open('audit_log_tamper');
    await recordEvents(log, 20);
    await log.sequencer.catchUp();
    const edited = await eventAt(log, 3);
    const deleted = await eventAt(log, 7);
    const [first, second] = [await eventAt(log, 11), await eventAt(log, 12)];
    const moved = await eventAt(log, 15);
    const other = await eventAt(log, 16);
    const inserted = '00000000-0000-4000-8000-0000000000ee';
    await asSuperuser(log, async (client) => {
      await client.query(`UPDATE audit_event SET outcome = 'allowed', ip = '203.0.113.1' WHERE id = $1`, [edited.id]);
      await client.query(`DELETE FROM audit_event WHERE id = $1`, [deleted.id]);
      // Two events swap places in time (their seq), and two swap places in the log.
      await client.query(`UPDATE audit_event SET seq = -1 WHERE id = $1`, [first.id]);
      await client.query(`UPDATE audit_event SET seq = $2 WHERE id = $1`, [second.id, first.seq]);
      await client.query(`UPDATE audit_event SET seq = $2 WHERE id = $1`, [first.id, second.seq]);
      await client.query(`UPDATE audit_log_entry SET event_id = '00000000-0000-4000-8000-0000000000ff' WHERE event_id = $1`, [moved.id]);
      await client.query(`UPDATE audit_log_entry SET event_id = $2 WHERE event_id = $1`, [other.id, moved.id]);
      await client.query(`UPDATE audit_log_entry SET event_id = $1::uuid WHERE event_id = '00000000-0000-4000-8000-0000000000ff'`, [other.id]);
      // A forged event slipped into the past, behind the sequencer.
      await client.query(
        `INSERT INTO audit_event (id, seq, at, action, outcome, justification)
         SELECT $1, 0, at, 'case.read', 'allowed', 'forged' FROM audit_event WHERE id = $2`,
        [inserted, edited.id],
      );
    });
    const result = await log.verifier.verify();
    expect(result.valid).toBe(false);
    expect(result.checked).toBe(20);
    expect(new Set(namedEvents(result))).toEqual(new Set([edited.id, deleted.id, first.id, second.id, moved.id, other.id, inserted]));
    expect(result.breaks.find((item) => item.eventId === deleted.id)).toMatchObject({ index: '7', reason: expect.stringMatching(/deleted/) });
    expect(result.breaks.find((item) => item.eventId === inserted)?.reason).toMatch(/inserted outside the application/);
  });

  it('finds leaf hashes rewritten to match rewritten events through the signed checkpoint they contradict', async () => {
    const log = await open('audit_log_rewrite');
    await recordEvents(log, 8);
    await log.sequencer.catchUp();
    await recordEvents(log, 4);
    await log.sequencer.catchUp();
    const target = await eventAt(log, 9);
    await asSuperuser(log, async (client) => {
      await client.query(`UPDATE audit_event SET ip = '203.0.113.66' WHERE id = $1`, [target.id]);
    });
    // The attacker recomputes the leaf from the stored row, as the sequencer would.
    const rows: EntryRow[] = await log.dataSource.query(`SELECT ${ENTRY_COLUMNS} FROM audit_event e WHERE e.id = $1`, [target.id]);
    await asSuperuser(log, (client) => client.query(`UPDATE audit_log_entry SET leaf_hash = $2 WHERE event_id = $1`, [target.id, entryLeafHash(rows[0]!)]));
    const result = await log.verifier.verify();
    expect(result.valid).toBe(false);
    // The database's checkpoint and the witness's copy of it both contradict the rewritten leaves.
    expect(result.breaks).toEqual(
      ['witness', 'database'].map((source) => ({
        eventId: null,
        index: '8',
        reason: `the log does not match the ${source}'s signed checkpoint of size 12: entries from 8 to 11 were rewritten`,
      })),
    );
  });

  it('finds a forged checkpoint, and a cut tail even when the database checkpoints were cut too, through the witness', async () => {
    const log = await open('audit_log_cut');
    await recordEvents(log, 6);
    await log.sequencer.catchUp();
    // A checkpoint "re-signed" without the key: new root in the row and in the note, old signature.
    await asSuperuser(log, (client) =>
      client.query(
        `UPDATE audit_log_checkpoint SET root_hash = sha256(root_hash),
                note = regexp_replace(note, '\n6\n[^\n]+\n', chr(10) || '6' || chr(10) || encode(sha256(root_hash), 'base64') || chr(10))`,
      ),
    );
    let result = await log.verifier.verify();
    expect(result.breaks.map((item) => item.reason)).toEqual([expect.stringMatching(/database checkpoint of size 6 is not signed with the log key/)]);

    const cut = await open('audit_log_cut_tail');
    await recordEvents(cut, 10);
    await cut.sequencer.catchUp();
    await asSuperuser(cut, async (client) => {
      await client.query(`DELETE FROM audit_event WHERE id IN (SELECT event_id FROM audit_log_entry WHERE log_index >= 8)`);
      await client.query(`DELETE FROM audit_log_entry WHERE log_index >= 8`);
      await client.query(`DELETE FROM audit_log_checkpoint`);
    });
    result = await cut.verifier.verify();
    expect(result.valid).toBe(false);
    expect(result.breaks).toEqual([
      { eventId: null, index: '8', reason: expect.stringMatching(/witness holds a signed checkpoint of 10 entries but the log holds 8/) },
    ]);
    expect(readFileSync(cut.witness.file, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('names a cut in the middle of the log and crosses an index moved far ahead without walking the empty span', async () => {
    const log = await open('audit_log_cut_middle');
    await recordEvents(log, 12);
    await log.sequencer.catchUp();
    await asSuperuser(log, async (client) => {
      await client.query(`DELETE FROM audit_log_entry WHERE log_index IN (5, 6)`);
      // Ten billion ranges of 5 if verification walked them one by one.
      await client.query(`UPDATE audit_log_entry SET log_index = 50000000000 WHERE log_index = 11`);
    });
    log.verifier.batchSize = 5;
    const result = await log.verifier.verify();
    expect(result.valid).toBe(false);
    expect(result.checked).toBe(5);
    expect(result.breaks[0]).toEqual({ eventId: null, index: '5', reason: expect.stringMatching(/log entries 5 to 6 are missing/) });
    expect(result.breaks.map((item) => item.reason)).toContainEqual(expect.stringMatching(/vouches for 12 entries but the log holds 5/));
  });

  it('exports the log and verifies the export offline with nothing but the verifier key', async () => {
    const log = await open('audit_log_offline');
    await recordEvents(log, 30);
    await log.sequencer.catchUp();
    await recordEvents(log, 5);
    await log.sequencer.catchUp();
    const file = join(mkdtempSync(join(tmpdir(), 'passage-export-')), 'audit-log.jsonl');
    expect(await exportLog(log.dataSource, log.config, file)).toBe(35);
    const key = log.verifier.verifierKey;
    expect(await verifyExport(file, key, log.witness.file)).toEqual({ valid: true, checked: 35, treeSize: '35', checkpointSize: '35', breaks: [] });

    // An entry edited in the export is named; a signature from another key vouches for nothing.
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.includes('"type":"leaf","index":"12"'));
    const leaf = JSON.parse(lines[at]!) as { eventId: string; entry: string };
    const entry = JSON.parse(Buffer.from(leaf.entry, 'base64').toString('utf8')) as Record<string, unknown>;
    lines[at] = JSON.stringify({ ...leaf, entry: Buffer.from(JSON.stringify({ ...entry, outcome: 'allowed', ip: '203.0.113.9' })).toString('base64') });
    writeFileSync(file, lines.join('\n'));
    const edited = await verifyExport(file, key);
    expect(edited.breaks).toEqual([{ eventId: leaf.eventId, index: '12', reason: expect.stringMatching(/altered/) }]);
    const stranger = new NoteSigner(log.config.auditLogOrigin, Buffer.alloc(32, 7)).verifierKey;
    const forged = await verifyExport(file, stranger);
    expect(forged.valid).toBe(false);
    expect(forged.breaks.map((item) => item.reason)).toContain('the newest checkpoint (size 35) is not signed with the log key');
  });

  it('keeps milestone-1 events and their HMAC checkpoints verifiable, and names one altered before the log covered it', async () => {
    const log = await open('audit_log_legacy');
    await legacyChain(log);
    await log.sequencer.catchUp();
    expect(await log.verifier.verify()).toMatchObject({ valid: true, breaks: [] });

    const altered = await open('audit_log_legacy_altered');
    const ids = await legacyChain(altered);
    // Altered while still a milestone-1 event, then taken into the log (and its Ed25519 checkpoint) as it was.
    await asSuperuser(altered, (client) => client.query(`UPDATE audit_event SET ip = '203.0.113.4' WHERE id = $1`, [ids[1]]));
    await asSuperuser(altered, (client) => client.query(`UPDATE audit_checkpoint SET signed_at = signed_at + interval '1 second'`));
    await altered.sequencer.catchUp();
    const result = await altered.verifier.verify();
    expect(result.breaks).toEqual([
      { eventId: null, index: null, reason: expect.stringMatching(/milestone-1 checkpoint \d+ at seq 1003 is not signed/) },
      { eventId: ids[1], index: expect.any(String), reason: expect.stringMatching(/does not match its milestone-1 chain hash/) },
    ]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the log tables over the application connection', async () => {
    const log = await open('audit_log_append_only');
    await recordEvents(log, 3);
    await log.sequencer.catchUp();
    for (const statement of [
      `UPDATE audit_event SET ip = '203.0.113.1'`,
      `DELETE FROM audit_event`,
      `TRUNCATE audit_event`,
      `UPDATE audit_log_entry SET leaf_hash = sha256(leaf_hash)`,
      `DELETE FROM audit_log_node`,
      `UPDATE audit_log_checkpoint SET signed_at = now()`,
      `DELETE FROM audit_log_checkpoint`,
      `TRUNCATE audit_log_retention`,
    ]) {
      await expect(log.dataSource.query(statement)).rejects.toThrow(/append-only/);
    }
    expect((await log.verifier.verify()).valid).toBe(true);
  });
});

describe('audit retention', () => {
  let log: Log;
  let retention: AuditRetentionService;
  beforeAll(async () => {
    log = await logOn('audit_log_retention', { AUDIT_RETENTION_DAYS: '30' });
    retention = new AuditRetentionService(log.dataSource, log.config, log.verifier, log.witness, log.audit);
  });
  afterAll(() => log.close());

  it('prunes the expired prefix behind a signed record; the pruned range stays provable and the log verifies', async () => {
    await recordEvents(log, 6);
    await log.sequencer.catchUp();
    const sixth: Array<{ at: Date }> = await log.dataSource.query(
      `SELECT e.at FROM audit_log_entry l JOIN audit_event e ON e.id = l.event_id WHERE l.log_index = 5`,
    );
    await new Promise((resolve) => setTimeout(resolve, 25));
    await recordEvents(log, 4);
    await log.sequencer.catchUp();
    retention.deleteBatchSize = 4;
    const now = new Date(sixth[0]!.at.getTime() + 30 * 86_400_000 + 1);
    expect(await retention.apply(now)).toEqual({ removed: 6, throughSize: '6' });
    expect(await log.dataSource.query(`SELECT count(*)::int AS count FROM audit_event`)).toEqual([{ count: 5 }]);
    await log.sequencer.catchUp();
    expect(await log.verifier.verify()).toMatchObject({ valid: true, checked: 11, breaks: [] });
    expect(await retention.apply(now)).toEqual({ removed: 0 });
  });

  it('still refuses to delete events above the retention record', async () => {
    await expect(log.dataSource.query(`DELETE FROM audit_event WHERE id = (SELECT event_id FROM audit_log_entry WHERE log_index = 7)`)).rejects.toThrow(
      /append-only/,
    );
  });

  it('is caught when an attacker forges a retention record to delete events', async () => {
    const eighth = (await eventAt(log, 8)).id;
    await log.dataSource.query(`INSERT INTO audit_log_retention (through_size, checkpoint_size, signed_at, note) VALUES (9, 10, now(), 'forged')`);
    await log.dataSource.query(`DELETE FROM audit_event WHERE id IN (SELECT event_id FROM audit_log_entry WHERE log_index < 9)`);
    const result = await log.verifier.verify();
    expect(result.valid).toBe(false);
    expect(result.breaks.map((item) => item.reason)).toContain('a retention record is not signed with the log key: it was forged or altered');
    expect(namedEvents(result)).toContain(eighth);
  });

  it('removes nothing when the log it would prune does not verify', async () => {
    const other = await logOn('audit_log_retention_tampered', { AUDIT_RETENTION_DAYS: '30' });
    try {
      await recordEvents(other, 5);
      await other.sequencer.catchUp();
      await asSuperuser(other, (client) =>
        client.query(`UPDATE audit_event SET ip = '203.0.113.5' WHERE id = (SELECT event_id FROM audit_log_entry WHERE log_index = 1)`),
      );
      const guarded = new AuditRetentionService(other.dataSource, other.config, other.verifier, other.witness, other.audit);
      expect(await guarded.apply(new Date(Date.now() + 31 * 86_400_000))).toEqual({ removed: 0 });
      expect(await other.dataSource.query(`SELECT count(*)::int AS count FROM audit_event`)).toEqual([{ count: 5 }]);
    } finally {
      await other.close();
    }
  });
});

describe('an audit write that fails', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    url = await isolatedDatabaseUrl('audit_fail_closed');
    t = await TestApp.start({ DATABASE_URL: url });
  });
  afterAll(() => t.close());

  it('refuses the access with 503 and shows nothing', async () => {
    const supervisor = await t.login('supervisor@be-police.test');
    await withClient(url, async (client) => {
      await client.query(`CREATE FUNCTION audit_refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`);
      await client.query(`CREATE TRIGGER audit_refuse_insert BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_refuse_insert()`);
    });
    const response = await t.get('/api/audit/events', supervisor);
    const problem = expectProblem(response, 503);
    expect(problem.detail).toMatch(/could not be recorded in the audit trail/);
    expect(response.text).not.toMatch(/items/);
    await expect(t.app.get(AuditService).recordNow({ action: AuditAction.CaseRead, outcome: 'allowed' })).rejects.toMatchObject({ statusCode: 503 });
  });
});
