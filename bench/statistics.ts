import type { Client } from 'pg';
import type { AppConfig } from '../src/config/config';
import { createHttpApp } from '../src/http';

export interface StatisticsScenarioResult {
  description: string;
  path: string;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface StatisticsResult {
  rebuildSeconds: number;
  rollupRows: number;
  scenarios: StatisticsScenarioResult[];
}

const REQUESTS = 30;

const SCENARIOS = [
  { email: 'supervisor@be-oversight.test', path: 'groupBy=organisation', description: 'oversight BE, last 12 months, by organisation' },
  { email: 'supervisor@be-oversight.test', path: 'groupBy=exploitationType', description: 'oversight BE, last 12 months, by exploitation type' },
  { email: 'supervisor@be-oversight.test', path: 'groupBy=month&from=-119', description: 'oversight BE, last 120 months, by month' },
  { email: 'supervisor@be-police.test', path: 'groupBy=month', description: 'supervisor of be-police, last 12 months, by month' },
] as const;

function monthsBack(count: number): string {
  const now = new Date();
  const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - count, 1));
  return date.toISOString().slice(0, 7);
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * The bulk load runs with triggers off, so the rollups are rebuilt from the loaded rows first
 * (stats_rebuild, as after a restore); then GET /api/statistics is timed end to end, one request
 * at a time: it is a supervisor's page, not a hot path, so latency matters, not throughput.
 */
export async function measureStatistics(
  config: AppConfig,
  databaseUrl: string,
  client: Client,
  password: string,
  log: (line: string) => void,
): Promise<StatisticsResult> {
  let started = performance.now();
  await client.query(`SELECT stats_rebuild()`);
  await client.query(`VACUUM (ANALYZE) stats_monthly, stats_case_record`);
  const rebuildSeconds = (performance.now() - started) / 1000;
  const rollupRows = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM stats_monthly`)).rows[0]!.n;
  log(`statistics rollups rebuilt in ${rebuildSeconds.toFixed(1)} s: ${rollupRows.toLocaleString('en')} rows`);

  const app = await createHttpApp(config, databaseUrl);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const scenarios: StatisticsScenarioResult[] = [];
    for (const scenario of SCENARIOS) {
      const login = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: scenario.email, password }),
      });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const path = `/api/statistics?${scenario.path.replace('from=-119', `from=${monthsBack(119)}`)}`;
      const timings: number[] = [];
      for (let i = 0; i < REQUESTS + 3; i++) {
        started = performance.now();
        const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
        // The first three warm the connection pool and the plan cache.
        if (i >= 3) timings.push(performance.now() - started);
      }
      timings.sort((a, b) => a - b);
      const result = {
        description: scenario.description,
        path,
        requests: REQUESTS,
        p50Ms: percentile(timings, 0.5),
        p95Ms: percentile(timings, 0.95),
        maxMs: timings.at(-1)!,
      };
      log(`statistics, ${scenario.description}: p50 ${result.p50Ms.toFixed(1)} ms, p95 ${result.p95Ms.toFixed(1)} ms`);
      scenarios.push(result);
    }
    return { rebuildSeconds, rollupRows, scenarios };
  } finally {
    await app.close();
  }
}
