import { type AuditVerification, AuditVerifier } from '../src/audit/audit-verifier';
import { AuditWitness } from '../src/audit/audit-witness';
import { createDataSource } from '../src/database/data-source';

export interface VerifyReport {
  result: AuditVerification;
  seconds: number;
  /** Resident set after connecting, before verifying (MiB). */
  rssBeforeMiB: number;
  /** Peak resident set of this process over its whole life (MiB), from getrusage. */
  peakRssMiB: number;
}

/**
 * Runs the audit verifier alone in this child process, so its peak RSS is the verifier's own and
 * not the bench's (which holds a seeded data set and an HTTP server). Reports over IPC.
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_VERIFY_DATABASE_URL;
  const signingKey = process.env.BENCH_VERIFY_SIGNING_KEY;
  const origin = process.env.BENCH_VERIFY_ORIGIN;
  const witnessDir = process.env.BENCH_VERIFY_WITNESS_DIR;
  if (!databaseUrl || !signingKey || !origin || !witnessDir || !process.send) throw new Error('verify-child runs from bench/run.ts only');
  const dataSource = createDataSource(databaseUrl);
  await dataSource.initialize();
  try {
    const config = { auditSigningKey: Buffer.from(signingKey, 'base64'), auditLogOrigin: origin, auditWitnessDir: witnessDir };
    const verifier = new AuditVerifier(dataSource, config, new AuditWitness(config));
    const rssBeforeMiB = process.memoryUsage().rss / 1_048_576;
    const started = performance.now();
    const result = await verifier.verify();
    const seconds = (performance.now() - started) / 1000;
    const report: VerifyReport = { result, seconds, rssBeforeMiB, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
    await new Promise<void>((resolve, reject) => process.send!(report, undefined, {}, (error) => (error ? reject(error) : resolve())));
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`verify-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
