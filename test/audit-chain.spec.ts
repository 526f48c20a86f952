import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditAction } from '../src/audit/audit-action';
import { type AuditEventRow, AUDIT_EVENT_COLUMNS, chainedFieldsOf, chainHash } from '../src/audit/audit-chain';
import { AuditCheckpointService } from '../src/audit/audit-checkpoint.service';
import { AuditRetentionService } from '../src/audit/audit-retention.service';
import { AuditScheduler } from '../src/audit/audit-scheduler';
import { type AuditVerification, AuditVerifier } from '../src/audit/audit-verifier';
import { type AuditEntry, AuditService } from '../src/audit/audit.service';
import type { AppConfig } from '../src/config/config';
import { createDataSource } from '../src/database/data-source';
import { Role } from '../src/access/role';
import { TestApp, testConfig } from './support/app';
import { isolatedDatabaseUrl, withClient } from './support/database';
import { expectProblem } from './support/problem';
import { userId, organisationId } from './support/factories';

/** The application's audit components on a database of their own, plus a superuser connection to attack it with. */
interface Chain {
  url: string;
  dataSource: DataSource;
  config: AppConfig;
  audit: AuditService;
  checkpoints: AuditCheckpointService;
  verifier: AuditVerifier;
  close(): Promise<void>;
}

async function chainOn(label: string, overrides: Record<string, string> = {}): Promise<Chain> {
  const url = await isolatedDatabaseUrl(label);
  const config = await testConfig({ DATABASE_URL: url, ...overrides });
  const dataSource = createDataSource(url);
  await dataSource.initialize();
  const checkpoints = new AuditCheckpointService(dataSource, config);
  return {
    url,
    dataSource,
    config,
    audit: new AuditService(dataSource),
    checkpoints,
    verifier: new AuditVerifier(dataSource, checkpoints),
    close: () => dataSource.destroy(),
  };
}

async function officerActor(dataSource: DataSource): Promise<NonNullable<AuditEntry['actor']>> {
  return { userId: await userId(dataSource, 'officer@be-police.test'), organisationId: await organisationId(dataSource, 'be-police'), role: Role.Officer };
}

async function recordEvents(chain: Chain, count: number): Promise<void> {
  const actor = await officerActor(chain.dataSource);
  for (let i = 0; i < count; i += 1) {
    await chain.audit.recordNow({
      action: i % 2 === 0 ? AuditAction.Login : AuditAction.LoginFailed,
      outcome: i % 2 === 0 ? 'allowed' : 'denied',
      actor: i % 3 === 0 ? null : actor,
      meta: { requestId: `chain-test-${i}`, ip: '198.51.100.7' },
    });
  }
}

async function eventAt(chain: Chain, seq: number): Promise<AuditEventRow> {
  const rows: AuditEventRow[] = await chain.dataSource.query(`SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_event WHERE seq = $1`, [seq]);
  if (!rows[0]) throw new Error(`no event at seq ${seq}`);
  return rows[0];
}

/** A superuser session with triggers off: what an attacker with full database access can do. */
function asSuperuser<T>(chain: Chain, attack: (client: Client) => Promise<T>): Promise<T> {
  return withClient(chain.url, async (client) => {
    await client.query(`SET session_replication_role = replica`);
    return attack(client);
  });
}

/** Rewrites every event from `fromSeq` on (a changed IP) with correctly recomputed hashes, and moves the head along. */
async function rewriteTail(chain: Chain, fromSeq: number): Promise<void> {
  await asSuperuser(chain, async (client) => {
    const before = await client.query<{ hash: Buffer }>(`SELECT hash FROM audit_event WHERE seq = $1`, [fromSeq - 1]);
    let prev = before.rows[0]!.hash;
    const rows = await client.query<AuditEventRow>(`SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_event WHERE seq >= $1 ORDER BY audit_event.seq`, [fromSeq]);
    for (const row of rows.rows) {
      const forged = { ...row, ip: '203.0.113.66' };
      const hash = chainHash(prev, chainedFieldsOf(forged));
      await client.query(`UPDATE audit_event SET ip = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, [row.seq, forged.ip, prev, hash]);
      await client.query(`UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1`, [row.seq, hash]);
      prev = hash;
    }
  });
}

function expectInvalid(result: AuditVerification, firstInvalidId: string | undefined, reason: RegExp): void {
  expect(result.valid).toBe(false);
  expect(result.firstInvalidId).toBe(firstInvalidId);
  expect(result.reason).toMatch(reason);
}

describe('audit chain verification', () => {
  const chains: Chain[] = [];
  const open = async (label: string, overrides: Record<string, string> = {}): Promise<Chain> => {
    const chain = await chainOn(label, overrides);
    chains.push(chain);
    return chain;
  };
  afterAll(async () => {
    await Promise.all(chains.map((chain) => chain.close()));
  });

  it('verifies an untouched chain batch by batch, then signs a checkpoint at its head', async () => {
    const chain = await open('audit_clean');
    await recordEvents(chain, 23);
    chain.verifier.batchSize = 5;
    const result = await chain.verifier.verify();
    const total: Array<{ count: number }> = await chain.dataSource.query(`SELECT count(*)::int AS count FROM audit_event`);
    expect(result).toEqual({ valid: true, checked: total[0]!.count });
    const checkpoints: Array<{ kind: string; seq: string }> = await chain.dataSource.query(`SELECT kind, seq::text AS seq FROM audit_checkpoint`);
    const head: Array<{ seq: string }> = await chain.dataSource.query(`SELECT seq::text AS seq FROM audit_chain_head`);
    expect(checkpoints).toEqual([{ kind: 'verify', seq: head[0]!.seq }]);
    // Nothing new: a second verification holds and adds no second checkpoint at the same point.
    expect((await chain.verifier.verify()).valid).toBe(true);
    expect(await chain.dataSource.query(`SELECT count(*)::int AS count FROM audit_checkpoint`)).toEqual([{ count: 1 }]);
  });

  it('finds a rewritten event', async () => {
    const chain = await open('audit_update');
    await recordEvents(chain, 10);
    const target = await eventAt(chain, 5);
    await asSuperuser(chain, (client) => client.query(`UPDATE audit_event SET outcome = 'allowed', ip = '203.0.113.1' WHERE seq = 5`));
    expectInvalid(await chain.verifier.verify(), target.id, /seq 5 does not match its hash/);
  });

  it('finds a deleted event: the next one is named', async () => {
    const chain = await open('audit_delete');
    await recordEvents(chain, 10);
    const next = await eventAt(chain, 6);
    await asSuperuser(chain, (client) => client.query(`DELETE FROM audit_event WHERE seq = 5`));
    const result = await chain.verifier.verify();
    expectInvalid(result, next.id, /events are missing/);
    expect(result.checked).toBe(4);
  });

  it('finds a forged event appended with a correctly chained hash', async () => {
    const chain = await open('audit_insert');
    await recordEvents(chain, 6);
    const last = await eventAt(chain, 6);
    const forged: AuditEventRow = { ...last, seq: '7', id: '00000000-0000-4000-8000-000000000007', at: new Date(), justification: 'forged' };
    forged.prev_hash = last.hash;
    forged.hash = chainHash(last.hash, chainedFieldsOf(forged));
    await asSuperuser(chain, (client) =>
      client.query(`INSERT INTO audit_event SELECT (json_populate_record(null::audit_event, $1::json)).*`, [
        JSON.stringify({ ...forged, prev_hash: `\\x${forged.prev_hash.toString('hex')}`, hash: `\\x${forged.hash.toString('hex')}` }),
      ]),
    );
    expect((await eventAt(chain, 7)).hash).toEqual(forged.hash);
    expectInvalid(await chain.verifier.verify(), forged.id, /beyond the chain head/);
  });

  it('finds two events swapped', async () => {
    const chain = await open('audit_swap');
    await recordEvents(chain, 10);
    const sixth = await eventAt(chain, 6);
    await asSuperuser(chain, async (client) => {
      await client.query(`UPDATE audit_event SET seq = -5 WHERE seq = 5`);
      await client.query(`UPDATE audit_event SET seq = 5 WHERE seq = 6`);
      await client.query(`UPDATE audit_event SET seq = 6 WHERE seq = -5`);
    });
    expectInvalid(await chain.verifier.verify(), sixth.id, /seq 5 does not link to the event before it/);
  });

  it('finds a tail rewritten with recomputed hashes, through the signed checkpoint it contradicts', async () => {
    const chain = await open('audit_tail');
    await recordEvents(chain, 8);
    expect((await chain.verifier.verify()).valid).toBe(true); // signs seq 8
    await recordEvents(chain, 4);
    expect(await chain.checkpoints.checkpoint('periodic')).toMatchObject({ kind: 'periodic', seq: '12' });
    const firstRewritten = await eventAt(chain, 9);
    await rewriteTail(chain, 9);
    const result = await chain.verifier.verify();
    expectInvalid(result, firstRewritten.id, /checkpoint \d+ signed at seq 12 does not match the chain: events from seq 9 to 12 were rewritten/);
    expect(result.firstInvalidSeq).toBe('9');
  });

  it('finds a truncated tail through the checkpoint beyond the new end', async () => {
    const chain = await open('audit_truncate');
    await recordEvents(chain, 10);
    await chain.checkpoints.checkpoint();
    await asSuperuser(chain, async (client) => {
      await client.query(`DELETE FROM audit_event WHERE seq > 8`);
      await client.query(`UPDATE audit_chain_head SET (seq, hash) = (SELECT seq, hash FROM audit_event WHERE seq = 8) WHERE id = 1`);
    });
    const result = await chain.verifier.verify();
    expectInvalid(result, undefined, /vouches for seq 10 but the chain ends at seq 8: events were removed from the end/);
    expect(result).toMatchObject({ checked: 8, firstInvalidSeq: '9' });
  });

  it('finds a checkpoint altered to match a rewritten tail: its signature no longer holds', async () => {
    const chain = await open('audit_forged_checkpoint');
    await recordEvents(chain, 6);
    await chain.checkpoints.checkpoint();
    await rewriteTail(chain, 4);
    await asSuperuser(chain, (client) => client.query(`UPDATE audit_checkpoint SET hash = (SELECT hash FROM audit_chain_head)`));
    const result = await chain.verifier.verify();
    expect(result).toMatchObject({ valid: false, checked: 6, firstInvalidSeq: '6' });
    expect(result.reason).toMatch(/at seq 6 is not signed with the audit signing key/);
  });

  it('keeps one unbroken chain under 50 concurrent writers', async () => {
    const chain = await open('audit_concurrent');
    const actor = await officerActor(chain.dataSource);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        chain.dataSource.transaction((manager) =>
          chain.audit.record(manager, { action: AuditAction.CaseList, outcome: 'allowed', actor, meta: { requestId: `concurrent-${i}`, ip: '192.0.2.1' } }),
        ),
      ),
    );
    const result = await chain.verifier.verify();
    expect(result).toEqual({ valid: true, checked: 50 });
    const seqs: Array<{ min: string; max: string; count: number }> = await chain.dataSource.query(
      `SELECT min(seq)::text AS min, max(seq)::text AS max, count(*)::int AS count FROM audit_event`,
    );
    expect(seqs).toEqual([{ min: '1', max: '50', count: 50 }]);
    const backwards: Array<{ count: number }> = await chain.dataSource.query(
      `SELECT count(*)::int AS count FROM (SELECT at < lag(at) OVER (ORDER BY seq) AS earlier FROM audit_event) steps WHERE earlier`,
    );
    expect(backwards).toEqual([{ count: 0 }]);
  });

  it('never dates an event before the one it follows, even from a host whose clock is behind', async () => {
    const chain = await open('audit_monotonic');
    await recordEvents(chain, 1);
    const ahead = new Date(Date.now() + 3_600_000);
    await asSuperuser(chain, (client) => client.query(`UPDATE audit_chain_head SET at = $1`, [ahead]));
    await recordEvents(chain, 1);
    expect((await eventAt(chain, 2)).at).toEqual(ahead);
  });

  it('captures the supervisor scope at write time and hashes it', async () => {
    const chain = await open('audit_scope_columns');
    const actor = await officerActor(chain.dataSource);
    await chain.audit.recordNow({ action: AuditAction.Login, outcome: 'allowed', actor });
    await chain.audit.recordNow({
      action: AuditAction.CaseRead,
      outcome: 'denied',
      actor: { ...actor, country: 'NL' },
      caseId: '00000000-0000-4000-8000-0000000000aa',
      caseOwner: { leadOrganisationId: actor.organisationId, country: 'LU' },
    });
    const first = await eventAt(chain, 1);
    const second = await eventAt(chain, 2);
    expect(first).toMatchObject({ actor_country: 'BE', case_lead_organisation_id: null, case_country: null });
    expect(second).toMatchObject({ actor_country: 'NL', case_lead_organisation_id: actor.organisationId, case_country: 'LU' });
    await asSuperuser(chain, (client) => client.query(`UPDATE audit_event SET case_country = 'BE' WHERE seq = 2`));
    expectInvalid(await chain.verifier.verify(), second.id, /does not match its hash/);
  });
});

describe('audit retention', () => {
  let chain: Chain;
  let retention: AuditRetentionService;
  beforeAll(async () => {
    chain = await chainOn('audit_retention', { AUDIT_RETENTION_DAYS: '30' });
    retention = new AuditRetentionService(chain.dataSource, chain.config, chain.checkpoints, chain.verifier, chain.audit);
  });
  afterAll(() => chain.close());

  it('removes the expired prefix behind a signed checkpoint and the chain still verifies', async () => {
    await recordEvents(chain, 6);
    const sixth = await eventAt(chain, 6);
    await new Promise((resolve) => setTimeout(resolve, 25));
    await recordEvents(chain, 4);
    retention.deleteBatchSize = 4;
    const now = new Date(sixth.at.getTime() + 30 * 86_400_000 + 1);
    expect(await retention.apply(now)).toEqual({ removed: 6, throughSeq: '6' });

    const remaining: Array<{ seq: string; action: string }> = await chain.dataSource.query(
      `SELECT seq::text AS seq, action FROM audit_event ORDER BY audit_event.seq`,
    );
    expect(remaining.map((row) => row.seq)).toEqual(['7', '8', '9', '10', '11']);
    expect(remaining[4]!.action).toBe(AuditAction.AuditRetention);
    expect(await chain.dataSource.query(`SELECT seq::text AS seq FROM audit_checkpoint WHERE kind = 'retention'`)).toEqual([{ seq: '6' }]);
    expect(await chain.verifier.verify()).toEqual({ valid: true, checked: 5 });
    // Nothing else has expired: a second run removes nothing.
    expect(await retention.apply(now)).toEqual({ removed: 0 });
  });

  it('still refuses to delete events above the retention checkpoint', async () => {
    await expect(chain.dataSource.query(`DELETE FROM audit_event WHERE seq = 7`)).rejects.toThrow(/append-only/);
  });

  it('is caught when an attacker forges a retention checkpoint to delete events', async () => {
    await chain.dataSource.query(
      `INSERT INTO audit_checkpoint (kind, seq, hash, signed_at, signature) SELECT 'retention', seq, hash, now(), sha256(hash) FROM audit_event WHERE seq = 8`,
    );
    await chain.dataSource.query(`DELETE FROM audit_event WHERE seq <= 8`);
    const result = await chain.verifier.verify();
    expect(result.valid).toBe(false);
    expect(result.reason).toMatch(/seq 8 is not signed with the audit signing key/);
  });

  it('removes nothing when the prefix it would remove does not verify', async () => {
    const other = await chainOn('audit_retention_tampered', { AUDIT_RETENTION_DAYS: '30' });
    try {
      await recordEvents(other, 5);
      await asSuperuser(other, (client) => client.query(`UPDATE audit_event SET ip = '203.0.113.5' WHERE seq = 2`));
      const guarded = new AuditRetentionService(other.dataSource, other.config, other.checkpoints, other.verifier, other.audit);
      expect(await guarded.apply(new Date(Date.now() + 31 * 86_400_000))).toEqual({ removed: 0 });
      expect(await other.dataSource.query(`SELECT count(*)::int AS count FROM audit_event`)).toEqual([{ count: 5 }]);
    } finally {
      await other.close();
    }
  });
});

describe("the worker's audit round", () => {
  it('signs the chain head once per round, keeping what has not expired', async () => {
    const chain = await chainOn('audit_schedule', { AUDIT_RETENTION_DAYS: '1' });
    try {
      await recordEvents(chain, 3);
      const retention = new AuditRetentionService(chain.dataSource, chain.config, chain.checkpoints, chain.verifier, chain.audit);
      const scheduler = new AuditScheduler(chain.checkpoints, retention);
      await Promise.all([scheduler.tick(), scheduler.tick()]);
      expect(await chain.dataSource.query(`SELECT kind, seq::text AS seq FROM audit_checkpoint`)).toEqual([{ kind: 'periodic', seq: '3' }]);
      await scheduler.tick();
      expect(await chain.dataSource.query(`SELECT count(*)::int AS count FROM audit_checkpoint`)).toEqual([{ count: 1 }]);
      expect(await chain.dataSource.query(`SELECT count(*)::int AS count FROM audit_event`)).toEqual([{ count: 3 }]);
    } finally {
      await chain.close();
    }
  });
});

describe('audit trail through the application', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
    await t.login('officer@be-police.test');
  });
  afterAll(() => t.close());

  it('refuses UPDATE, DELETE and TRUNCATE on the audit tables over the application connection', async () => {
    await t.app.get(AuditCheckpointService).checkpoint();
    await t.app.get(AuditVerifier).verify();
    for (const statement of [
      `UPDATE audit_event SET ip = '203.0.113.1' WHERE seq = (SELECT max(seq) FROM audit_event)`,
      `DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)`,
      `TRUNCATE audit_event`,
      `UPDATE audit_checkpoint SET signed_at = now()`,
      `DELETE FROM audit_checkpoint`,
      `TRUNCATE audit_checkpoint`,
    ]) {
      await expect(t.dataSource.query(statement)).rejects.toThrow(/append-only/);
    }
    expect((await t.app.get(AuditVerifier).verify()).valid).toBe(true);
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
