import type { CheckpointLag } from './audit-log';
import type { ApiProcessesResult, AuditCostResult, LoadRun, Spread } from './audit-throughput';
import type { VerifyReport } from './verify-child';

/** Issue 12's targets, checked on every run. */
export const AUDIT_TARGETS = {
  /** Audited read throughput over the same app with the audit as a no-op: at least this. */
  throughputRatio: 0.9,
  /** Audited read p99 over the no-op's: at most this. */
  p99Ratio: 1.2,
  /** Verification from the database, events per second: at least this. */
  verifyEventsPerSecond: 100_000,
  /** Commit → in a signed checkpoint, p99 under the two-process load, ms: at most this. */
  checkpointLagP99Ms: 2_000,
} as const;

const SCALE_AUDIT_EVENTS = 300_000_000;

export type AuditVerifyResult = VerifyReport & { eventsPerSecond: number };

const int = (value: number): string => Math.round(value).toLocaleString('en');
const ratio = (value: number): string => value.toFixed(2);
const spread = (value: Spread, format: (n: number) => string): string => `${format(value.median)} (${format(value.min)}–${format(value.max)})`;
const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');

/** One line per target (met or missed), for the findings. */
export function auditFindings(cost: AuditCostResult, processes: ApiProcessesResult, verify: AuditVerifyResult): string[] {
  const findings: string[] = [];
  const rounds = cost.rounds.length;
  findings.push(
    `Audit write cost (${rounds} alternating rounds): audited GET /api/cases/:id at ${spread(cost.throughputRatio, ratio)}× the no-op's throughput ` +
      `(median, min–max; target ≥ ${AUDIT_TARGETS.throughputRatio}: ${verdict(cost.throughputRatio.median >= AUDIT_TARGETS.throughputRatio)}), ` +
      `p99 at ${spread(cost.p99Ratio, ratio)}× (target ≤ ${AUDIT_TARGETS.p99Ratio}: ${verdict(cost.p99Ratio.median <= AUDIT_TARGETS.p99Ratio)}).`,
  );
  findings.push(
    `API processes (${processes.rounds.length} alternating rounds): one ${int(processes.oneRequestsPerSecond.median)} req/s, two ${int(processes.twoRequestsPerSecond.median)} req/s, ` +
      `gain ${spread(processes.gain, ratio)}× (target > 1: ${verdict(processes.gain.median > 1)}).`,
  );
  const lag = processes.checkpointLag;
  findings.push(
    `Commit → signed checkpoint over ${int(lag.events)} events under that load: p50 ${int(lag.p50Ms)} ms, p99 ${int(lag.p99Ms)} ms ` +
      `(target ≤ ${int(AUDIT_TARGETS.checkpointLagP99Ms)}: ${verdict(lag.p99Ms <= AUDIT_TARGETS.checkpointLagP99Ms)}), largest gap ${int(lag.maxMs)} ms` +
      `${lag.uncheckpointed > 0 ? `; **${int(lag.uncheckpointed)} events not checkpointed** 15 s after the runs` : ''}.`,
  );
  findings.push(
    `Audit verification from the database: ${int(verify.eventsPerSecond)} events/s (target ≥ ${int(AUDIT_TARGETS.verifyEventsPerSecond)}: ` +
      `${verdict(verify.eventsPerSecond >= AUDIT_TARGETS.verifyEventsPerSecond)}), peak RSS ${int(verify.peakRssMiB)} MiB; ` +
      `${int(SCALE_AUDIT_EVENTS)} events (PRODUCT.md scale) would take about ${(SCALE_AUDIT_EVENTS / verify.eventsPerSecond / 3600).toFixed(1)} h.`,
  );
  if (cost.eventsWrittenWithoutAudit !== 0) findings.push(`CHECK FAILED: the no-audit app still wrote ${cost.eventsWrittenWithoutAudit} audit events.`);
  if (!cost.sameBody || cost.headerDiff.length > 0) {
    findings.push(
      `CHECK FAILED: the no-audit app answers differently from createHttpApp (body ${cost.sameBody ? 'same' : 'differs'}; headers ${cost.headerDiff.join(' ') || 'same'}): bench/no-audit-app.ts drifted.`,
    );
  }
  if (!verify.result.valid) findings.push(`CHECK FAILED: the audit log did not verify: ${verify.result.breaks.map((item) => item.reason).join('; ')}.`);
  return findings;
}

const runCells = (run: LoadRun): string => `${int(run.requestsPerSecond)} | ${run.p50Ms} | ${run.p99Ms}`;

function lagRow(lag: CheckpointLag): string {
  return `| ${int(lag.events)} | ${int(lag.p50Ms)} | ${int(lag.p99Ms)} | ${int(lag.maxMs)} | ${int(lag.uncheckpointed)} |`;
}

/** Sections "Audit write cost", "Two API processes" and "Audit verification" of REPORT.md. */
export function renderAuditSections(
  cost: AuditCostResult,
  processes: ApiProcessesResult,
  verify: AuditVerifyResult,
  numbers: [string, string, string],
): string[] {
  const [costNumber, processNumber, verifyNumber] = numbers;
  const lag = processes.checkpointLag;
  return [
    `## ${costNumber} Audit write cost`,
    '',
    `\`GET /api/cases/:id\` as ${cost.email}, the same case (\`${cost.caseId}\`), against two API processes started side by side from the same build: ` +
      'createHttpApp, and the same application with AuditService replaced by a no-op (bench/no-audit-app.ts). The audit sequencer runs in a third process, ' +
      `as the worker runs it. ${cost.rounds.length} rounds, the order alternating (audited first in odd rounds), each run ${cost.warmupSeconds} s unmeasured warm-up then ` +
      `${cost.durationSeconds} s with ${cost.connections} connections. Ratios are per round (runs back to back), then the median and the range.`,
    '',
    '| round | audited req/s | p50 ms | p99 ms | no-op req/s | p50 ms | p99 ms | throughput ratio | p99 ratio | load avg |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...cost.rounds.map(
      (round, index) =>
        `| ${index + 1} | ${runCells(round.audited)} | ${runCells(round.noAudit)} | ${ratio(round.throughputRatio)} | ${ratio(round.p99Ratio)} | ${round.audited.loadAverage} |`,
    ),
    '',
    '| | median (min–max) | target | |',
    '|---|---|---|---|',
    `| throughput, audited / no-op | ${spread(cost.throughputRatio, ratio)} | ≥ ${AUDIT_TARGETS.throughputRatio} | ${verdict(cost.throughputRatio.median >= AUDIT_TARGETS.throughputRatio)} |`,
    `| p99, audited / no-op | ${spread(cost.p99Ratio, ratio)} | ≤ ${AUDIT_TARGETS.p99Ratio} | ${verdict(cost.p99Ratio.median <= AUDIT_TARGETS.p99Ratio)} |`,
    `| audited req/s | ${spread(cost.auditedRequestsPerSecond, int)} | | |`,
    `| no-op req/s | ${spread(cost.noAuditRequestsPerSecond, int)} | | |`,
    '',
    `Audit events written: ${int(cost.eventsWrittenWithAudit)} during the audited runs, ${int(cost.eventsWrittenWithoutAudit)} during the no-op runs (warm-ups included). ` +
      `Same response from both: body ${cost.sameBody ? 'identical' : '**differs**'}, header names ${cost.headerDiff.length === 0 ? 'identical' : `**differ**: ${cost.headerDiff.join(' ')}`}.`,
    '',
    `## ${processNumber} Two API processes`,
    '',
    `The audited read against one API process with all ${processes.connections} connections, and against two API processes (separate ports) with half of them each ` +
      `(one load generator per port), alternating, same warm-up and duration. With two processes the latency columns are the worse process's.`,
    '',
    '| round | one process req/s | p50 ms | p99 ms | two processes req/s | p50 ms | p99 ms | two / one | load avg |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...processes.rounds.map(
      (round, index) => `| ${index + 1} | ${runCells(round.one)} | ${runCells(round.two)} | ${ratio(round.gain)} | ${round.two.loadAverage} |`,
    ),
    '',
    `Median: one process ${spread(processes.oneRequestsPerSecond, int)} req/s, two ${spread(processes.twoRequestsPerSecond, int)} req/s; ` +
      `two / one ${spread(processes.gain, ratio)} (target > 1: ${verdict(processes.gain.median > 1)}).`,
    '',
    'Commit → signed checkpoint: for every event these runs wrote, from its `at` (database clock at insert) to the `signed_at` of the first checkpoint holding it.',
    '',
    '| events | p50 ms | p99 ms | largest gap ms | not checkpointed |',
    '|---:|---:|---:|---:|---:|',
    lagRow(lag),
    '',
    `p99 target ≤ ${int(AUDIT_TARGETS.checkpointLagP99Ms)} ms: ${verdict(lag.p99Ms <= AUDIT_TARGETS.checkpointLagP99Ms)}.`,
    '',
    `## ${verifyNumber} Audit verification`,
    '',
    '`AuditVerifier.verify()` alone in a child process (bench/verify-child.ts), over the whole log: every event hashed from its stored row, the tree recomputed, ' +
      'every checkpoint compared, the newest signature checked.',
    '',
    '| events checked | valid | seconds | events/s | target | | RSS before | peak RSS |',
    '|---:|---|---:|---:|---:|---|---:|---:|',
    `| ${int(verify.result.checked)} | ${verify.result.valid ? 'yes' : `**no**: ${verify.result.breaks.length} breaks`} | ${verify.seconds.toFixed(1)} | ${int(verify.eventsPerSecond)} | ` +
      `≥ ${int(AUDIT_TARGETS.verifyEventsPerSecond)} | ${verdict(verify.eventsPerSecond >= AUDIT_TARGETS.verifyEventsPerSecond)} | ${int(verify.rssBeforeMiB)} MiB | ${int(verify.peakRssMiB)} MiB |`,
  ];
}
