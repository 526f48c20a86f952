import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportLog, verifyExport } from '../src/audit/audit-log-export';
import { AuditSequencer } from '../src/audit/audit-sequencer';
import { AuditVerifier } from '../src/audit/audit-verifier';
import { AuditWitness } from '../src/audit/audit-witness';
import { createDataSource } from '../src/database/data-source';
import { migrate } from '../src/database/migrate';
import { createBenchDatabase, dropBenchDatabase } from './database';
import { benchAppConfig, loadBenchSettings } from './settings';

const log = (line: string): void => {
  process.stdout.write(`[audit-verify ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

/**
 * `npm run bench:audit-verify`: the audit log's own speeds, in a minute on a small machine, on a
 * database of its own: BENCH_AUDIT_EVENTS events (default 200,000) inserted with SQL, integrated
 * by the sequencer (leaf hashes, subtrees, one checkpoint), verified from the database, exported
 * and verified offline.
 */
async function main(): Promise<void> {
  const settings = loadBenchSettings({ BENCH_AUDIT_EVENTS: '200000', ...process.env });
  const events = settings.auditEvents;
  const database = await createBenchDatabase(settings.postgresUrl, 'auditlog');
  const witnessDir = mkdtempSync(join(tmpdir(), 'passage-bench-witness-'));
  try {
    await migrate(database.url);
    const config = benchAppConfig(database.url, settings.redisUrl, 'bench:audit-verify', { AUDIT_WITNESS_DIR: witnessDir });
    const dataSource = createDataSource(database.url);
    await dataSource.initialize();
    try {
      let started = performance.now();
      await dataSource.query(
        `INSERT INTO audit_event (id, at, actor_user_id, actor_organisation_id, actor_role, actor_country, action, case_id,
                                  case_lead_organisation_id, case_country, sections, outcome, legal_basis, request_id, ip)
         SELECT gen_random_uuid(), now() - (($1 - i) || ' ms')::interval, gen_random_uuid(), gen_random_uuid(), 'officer', 'BE', 'case.read',
                gen_random_uuid(), gen_random_uuid(), 'BE', '{summary,identity}', 'allowed', 'lead', gen_random_uuid()::text, '10.1.' || (i % 250) || '.7'
           FROM generate_series(1, $1) AS i`,
        [events],
      );
      log(`inserted ${events.toLocaleString('en')} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);

      const sequencer = new AuditSequencer(dataSource, config, new AuditWitness(config));
      started = performance.now();
      await sequencer.catchUp();
      const sequenceSeconds = (performance.now() - started) / 1000;
      await sequencer.onApplicationShutdown();
      log(`sequenced in ${sequenceSeconds.toFixed(1)} s: ${Math.round(events / sequenceSeconds).toLocaleString('en')} events/s`);
      await dataSource.query(`VACUUM (ANALYZE) audit_event, audit_log_entry, audit_log_node`);

      const verifier = new AuditVerifier(dataSource, config, new AuditWitness(config));
      await verifier.verify(); // warm PostgreSQL's cache and the JIT; the second run is measured
      started = performance.now();
      const result = await verifier.verify();
      const verifySeconds = (performance.now() - started) / 1000;
      log(
        `verified ${result.checked.toLocaleString('en')} events from the database in ${verifySeconds.toFixed(2)} s: ` +
          `${Math.round(result.checked / verifySeconds).toLocaleString('en')} events/s (${result.valid ? 'valid' : `INVALID, ${result.breaks.length} breaks`})`,
      );

      const file = join(witnessDir, 'export.jsonl');
      started = performance.now();
      await exportLog(dataSource, config, file);
      log(`exported in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      started = performance.now();
      const offline = await verifyExport(file, verifier.verifierKey, new AuditWitness(config).file);
      const offlineSeconds = (performance.now() - started) / 1000;
      log(
        `verified the export offline in ${offlineSeconds.toFixed(2)} s: ${Math.round(offline.checked / offlineSeconds).toLocaleString('en')} events/s ` +
          `(${offline.valid ? 'valid' : 'INVALID'})`,
      );
    } finally {
      await dataSource.destroy();
    }
  } finally {
    rmSync(witnessDir, { recursive: true, force: true });
    await dropBenchDatabase(settings.postgresUrl, database.name);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`audit-verify bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
