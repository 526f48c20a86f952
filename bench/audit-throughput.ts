import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import type { Client } from 'pg';
import { type AppLaunch, type BenchProcess, startApiProcess, startSequencerProcess } from './api-processes';
import { type CheckpointLag, checkpointLagSince } from './audit-log';

/** One measured load run against one or more API processes (warm-up excluded). */
export interface LoadRun {
  requestsPerSecond: number;
  requests: number;
  /** Latency percentiles; with several processes, the worst process's (each load generator keeps its own histogram). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  /** One-minute load average at the end of the run: the competition for the cores from outside the bench. */
  loadAverage: number;
}

export interface AuditCostRound {
  /** Which variant ran first in this round (the order alternates). */
  first: 'audited' | 'no-audit';
  audited: LoadRun;
  noAudit: LoadRun;
  throughputRatio: number;
  p99Ratio: number;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface AuditCostResult {
  email: string;
  caseId: string;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: AuditCostRound[];
  throughputRatio: Spread;
  p99Ratio: Spread;
  auditedRequestsPerSecond: Spread;
  noAuditRequestsPerSecond: Spread;
  /** Audit events drawn while each variant ran (warm-ups included): proves the no-op really replaced the audit. */
  eventsWrittenWithAudit: number;
  eventsWrittenWithoutAudit: number;
  sameBody: boolean;
  headerDiff: string[];
}

export interface ApiProcessesRound {
  first: 1 | 2;
  one: LoadRun;
  two: LoadRun;
  gain: number;
}

export interface ApiProcessesResult {
  connections: number;
  rounds: ApiProcessesRound[];
  oneRequestsPerSecond: Spread;
  twoRequestsPerSecond: Spread;
  /** two / one, per round. */
  gain: Spread;
  /** Commit → first signed checkpoint holding the event, over every event the two-process runs wrote. */
  checkpointLag: CheckpointLag;
}

export interface AuditThroughputResult {
  auditCost: AuditCostResult;
  apiProcesses: ApiProcessesResult;
}

export interface AuditThroughputOptions {
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Drives the same path on every URL at once, the connections split between them; one autocannon (worker thread) per URL. */
async function drive(urls: readonly string[], path: string, token: string, connections: number, seconds: number): Promise<LoadRun> {
  const share = Math.max(1, Math.floor(connections / urls.length));
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({ url: `${url}${path}`, connections: share, workers: 1, timeout: 30, duration: seconds, headers: { authorization: `Bearer ${token}` } }),
    ),
  );
  return {
    requestsPerSecond: results.reduce((sum, result) => sum + result.requests.total, 0) / seconds,
    requests: results.reduce((sum, result) => sum + result.requests.total, 0),
    p50Ms: Math.max(...results.map((result) => result.latency.p50)),
    p99Ms: Math.max(...results.map((result) => result.latency.p99)),
    maxMs: Math.max(...results.map((result) => result.latency.max)),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/**
 * autocannon stops at its deadline with requests in flight: wait until the servers have finished
 * them (no new audit event for 300 ms, at most 5 s), so neither the next run nor its event count
 * sees this one's tail.
 */
async function settled(client: Client): Promise<void> {
  const deadline = Date.now() + 5_000;
  let last = await eventsDrawn(client);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await eventsDrawn(client);
    if (now === last) return;
    last = now;
  }
}

async function measured(client: Client, urls: readonly string[], path: string, token: string, options: AuditThroughputOptions): Promise<LoadRun> {
  if (options.warmupSeconds > 0) await drive(urls, path, token, options.connections, options.warmupSeconds);
  const run = await drive(urls, path, token, options.connections, options.durationSeconds);
  await settled(client);
  return run;
}

/** Audit events drawn from the sequence so far (committed or not). */
async function eventsDrawn(client: Client): Promise<number> {
  return (await client.query<{ n: number }>(`SELECT (CASE WHEN is_called THEN last_value ELSE 0 END)::float8 AS n FROM audit_event_seq`)).rows[0]!.n;
}

async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login ${email} answered ${response.status}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** The newest case the user sees, when the caller has none at hand (BENCH_ONLY=audit skips the case list section). */
async function firstCase(baseUrl: string, token: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/cases?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { items?: Array<{ id: string }> };
  const id = body.items?.[0]?.id;
  if (response.status !== 200 || !id) throw new Error(`GET /api/cases answered ${response.status} without a case`);
  return id;
}

async function read(url: string, token: string): Promise<{ status: number; body: string; headers: string[] }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.text(), headers: [...response.headers.keys()].sort() };
}

/** Waits (up to 15 s) until every event written since `from` is in a signed checkpoint, then measures the delays. */
async function settledLag(client: Client, from: Date): Promise<CheckpointLag> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const lag = await checkpointLagSince(client, from);
    if (lag.uncheckpointed === 0 || Date.now() > deadline) return lag;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Sections 2 and 3 of the report, every API in a child process of its own and the audit
 * sequencer in another (as the worker runs it), the load generator in this one:
 *
 * - audit cost: `GET /api/cases/:id` against the application with its audit trail and against the
 *   same application with AuditService as a no-op, in alternating rounds (ABBA order), each run
 *   after an unmeasured warm-up; medians and spread of the per-round ratios;
 * - API processes: the same audited read against one process with all connections, then two
 *   processes with half each, alternating; the commit → signed checkpoint delay of the events the
 *   two-process runs wrote.
 */
export async function measureAuditThroughput(
  launch: AppLaunch,
  client: Client,
  persona: { email: string; password: string; caseId?: string },
  options: AuditThroughputOptions,
  log: (line: string) => void,
): Promise<AuditThroughputResult> {
  const processes: BenchProcess[] = [];
  const start = async (started: Promise<BenchProcess>): Promise<BenchProcess> => {
    const child = await started;
    processes.push(child);
    return child;
  };
  try {
    await start(startSequencerProcess(launch));
    const [audited, bare, second] = await Promise.all([
      start(startApiProcess(launch, 'audited')),
      start(startApiProcess(launch, 'no-audit')),
      start(startApiProcess(launch, 'audited')),
    ]);
    log(
      `API processes: audited ${audited!.url} (pid ${audited!.pid}), no-audit ${bare!.url} (pid ${bare!.pid}), second audited ${second!.url} (pid ${second!.pid})`,
    );
    const token = await login(audited!.url!, persona.email, persona.password);
    const caseId = persona.caseId ?? (await firstCase(audited!.url!, token));
    const path = `/api/cases/${caseId}`;
    const reference = await read(`${audited!.url}${path}`, token);
    const compared = await read(`${bare!.url}${path}`, token);
    if (reference.status !== 200) throw new Error(`GET ${path} answered ${reference.status}`);
    const headerDiff = [
      ...reference.headers.filter((name) => !compared.headers.includes(name)).map((name) => `-${name}`),
      ...compared.headers.filter((name) => !reference.headers.includes(name)).map((name) => `+${name}`),
    ];

    const costRounds: AuditCostRound[] = [];
    let eventsWrittenWithAudit = 0;
    let eventsWrittenWithoutAudit = 0;
    for (let round = 0; round < options.rounds; round += 1) {
      const first = round % 2 === 0 ? 'audited' : 'no-audit';
      const runs: Partial<Record<'audited' | 'no-audit', LoadRun>> = {};
      for (const variant of first === 'audited' ? (['audited', 'no-audit'] as const) : (['no-audit', 'audited'] as const)) {
        const before = await eventsDrawn(client);
        runs[variant] = await measured(client, [variant === 'audited' ? audited!.url! : bare!.url!], path, token, options);
        const written = (await eventsDrawn(client)) - before;
        if (variant === 'audited') eventsWrittenWithAudit += written;
        else eventsWrittenWithoutAudit += written;
      }
      const withAudit = runs.audited!;
      const noAudit = runs['no-audit']!;
      costRounds.push({
        first,
        audited: withAudit,
        noAudit,
        throughputRatio: withAudit.requestsPerSecond / noAudit.requestsPerSecond,
        p99Ratio: withAudit.p99Ms / noAudit.p99Ms,
      });
      log(
        `audit cost round ${round + 1}/${options.rounds}: audited ${withAudit.requestsPerSecond.toFixed(0)} req/s p99 ${withAudit.p99Ms} ms, ` +
          `no-op ${noAudit.requestsPerSecond.toFixed(0)} req/s p99 ${noAudit.p99Ms} ms (load ${withAudit.loadAverage})`,
      );
    }
    await bare!.close();

    await settled(client);
    const processRounds: ApiProcessesRound[] = [];
    const twoWindows = new Date();
    for (let round = 0; round < options.rounds; round += 1) {
      const first = round % 2 === 0 ? 1 : 2;
      const runs: Partial<Record<1 | 2, LoadRun>> = {};
      for (const count of first === 1 ? ([1, 2] as const) : ([2, 1] as const)) {
        runs[count] = await measured(client, count === 1 ? [audited!.url!] : [audited!.url!, second!.url!], path, token, options);
      }
      processRounds.push({ first, one: runs[1]!, two: runs[2]!, gain: runs[2]!.requestsPerSecond / runs[1]!.requestsPerSecond });
      log(
        `API processes round ${round + 1}/${options.rounds}: one ${runs[1]!.requestsPerSecond.toFixed(0)} req/s, two ${runs[2]!.requestsPerSecond.toFixed(0)} req/s ` +
          `(load ${runs[2]!.loadAverage})`,
      );
    }
    // Both process counts write events in these windows; the delay is measured over all of them.
    const checkpointLag = await settledLag(client, twoWindows);
    log(
      `commit → signed checkpoint over ${checkpointLag.events} events: p50 ${checkpointLag.p50Ms.toFixed(0)} ms, p99 ${checkpointLag.p99Ms.toFixed(0)} ms, max ${checkpointLag.maxMs.toFixed(0)} ms`,
    );
    return {
      auditCost: {
        email: persona.email,
        caseId,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        connections: options.connections,
        rounds: costRounds,
        throughputRatio: spreadOf(costRounds.map((round) => round.throughputRatio)),
        p99Ratio: spreadOf(costRounds.map((round) => round.p99Ratio)),
        auditedRequestsPerSecond: spreadOf(costRounds.map((round) => round.audited.requestsPerSecond)),
        noAuditRequestsPerSecond: spreadOf(costRounds.map((round) => round.noAudit.requestsPerSecond)),
        eventsWrittenWithAudit,
        eventsWrittenWithoutAudit,
        sameBody: compared.status === 200 && compared.body === reference.body,
        headerDiff,
      },
      apiProcesses: {
        connections: options.connections,
        rounds: processRounds,
        oneRequestsPerSecond: spreadOf(processRounds.map((round) => round.one.requestsPerSecond)),
        twoRequestsPerSecond: spreadOf(processRounds.map((round) => round.two.requestsPerSecond)),
        gain: spreadOf(processRounds.map((round) => round.gain)),
        checkpointLag,
      },
    };
  } finally {
    await Promise.all(processes.map((child) => child.close()));
  }
}
